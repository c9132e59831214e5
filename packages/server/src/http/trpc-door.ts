import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { makeContext } from "./context";
import { logProcedureError } from "./log-procedure-error";

/**
 * /trpc: the procedures, for TypeScript callers. Batching is on, bounded: a batch longer than MAX_BATCH_CALLS
 * is refused whole before any call runs (its calls would run concurrently and build one answer in memory).
 */
export function trpcHandler(deps: AppDeps, services: Services, router: AppRouter) {
  return (c: HonoContext) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: checkedRequest(c),
      router,
      maxBatchSize: deps.config.MAX_BATCH_CALLS,
      createContext: ({ resHeaders, info }) =>
        makeContext(c, deps, services, (k, v) => resHeaders.set(k, v), { batch: info.isBatchCall }),
      onError: ({ error, path }) => logProcedureError(deps.logger, error, path, c.get("requestId")),
    });
}

/** The request with its body as the jsonBody middleware checked it (that middleware has read the original). */
function checkedRequest(c: HonoContext): Request {
  const raw = c.req.raw;
  if (raw.method === "GET" || raw.method === "HEAD") return raw;
  const text = c.get("jsonBody") as string | undefined;
  return new Request(raw.url, {
    method: raw.method,
    headers: raw.headers,
    body: text ?? null,
    signal: raw.signal,
  });
}

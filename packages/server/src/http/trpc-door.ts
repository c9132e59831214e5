import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import { delayRefusal, retryAfterOf } from "../errors";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { anonymous } from "../trpc";
import { clientIp, makeContext } from "./context";
import { edgeError } from "./edge-errors";
import { logProcedureError } from "./log-procedure-error";

/**
 * /trpc: the procedures, for TypeScript callers. Batching is on, bounded: a batch longer than MAX_BATCH_CALLS
 * is refused whole before any call runs (its calls would run concurrently and build one answer in memory).
 */
export function trpcHandler(deps: AppDeps, services: Services, router: AppRouter) {
  return async (c: HonoContext) => {
    const calls = c.req.path.slice("/trpc/".length).split(",").length;
    if (c.req.query("batch") && calls > deps.config.MAX_BATCH_CALLS) {
      // Refused before tRPC reads it, as tRPC would, but charged to the address's budget first: a client
      // repeating it in a loop meets the budget's delayed 429 instead of costing a refusal each time.
      try {
        await services.budget.run(anonymous(clientIp(c, deps.config.TRUST_PROXY)), 1, async () => undefined);
      } catch (err) {
        const retryAfter = retryAfterOf(err);
        if (retryAfter === undefined) throw err;
        await delayRefusal(deps.config.RATE_LIMIT_DELAY_MS, retryAfter);
        c.header("Retry-After", String(retryAfter));
        return edgeError(c, 429, "TOO_MANY_REQUESTS", (err as Error).message);
      }
      return edgeError(
        c,
        400,
        "BAD_REQUEST",
        `Batch of ${calls} calls exceeds the maximum of ${deps.config.MAX_BATCH_CALLS}; send fewer calls in one batch`,
      );
    }
    if (c.req.query("batch") && calls > 1 && c.req.header("idempotency-key") !== undefined) {
      return edgeError(
        c,
        400,
        "BAD_REQUEST",
        "Idempotency-Key: names one call; send each call that carries one in a request of its own",
        [{ path: "Idempotency-Key", message: "names one call; send a batch of one", code: "custom" }],
      );
    }
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: checkedRequest(c),
      router,
      maxBatchSize: deps.config.MAX_BATCH_CALLS,
      createContext: ({ resHeaders, info }) =>
        makeContext(c, deps, services, (k, v) => resHeaders.set(k, v), { batch: info.isBatchCall }),
      onError: ({ error, path }) => logProcedureError(deps.logger, error, path, c.get("requestId")),
    });
  };
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

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { makeContext } from "./context";
import { logProcedureError } from "./log-procedure-error";

/** /trpc: the procedures, for TypeScript callers (batching on). */
export function trpcHandler(deps: AppDeps, services: Services, router: AppRouter) {
  return (c: HonoContext) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router,
      createContext: ({ resHeaders }) => makeContext(c, deps, services, (k, v) => resHeaders.set(k, v)),
      onError: ({ error, path }) => logProcedureError(deps.logger, error, path, c.get("requestId")),
    });
}

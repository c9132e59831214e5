import type { TRPCError } from "@trpc/server";
import type { Context as HonoContext } from "hono";
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import type { AppDeps } from "../deps";
import { describeIssues, type FieldIssue } from "../errors";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { makeContext } from "./context";

/** Successes other than 200; everything else answers 200. */
export const SUCCESS_STATUS: Record<string, number> = {
  "users.create": 201,
  "tasks.create": 201,
  "tasks.delete": 204,
  "auth.logout": 204,
};

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

interface RestErrorBody {
  message?: string;
  code?: string;
  data?: { code?: string; issues?: FieldIssue[]; requestId?: string };
}

/**
 * /api: the same procedures behind the REST door (trpc-to-openapi). The adapter strips its prefix with a
 * string replace on the whole URL, so it gets a URL of our making that cannot hold "/api" in the host.
 */
export function restHandler(deps: AppDeps, services: Services, router: AppRouter) {
  return async (c: HonoContext) => {
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
    const method = c.req.method;
    const headers = new Headers(c.req.raw.headers);
    let body: string | undefined;
    if (BODY_METHODS.has(method)) {
      body = await c.req.text();
      // A POST with no body (POST /admin/overdue-sweep) is an empty object, not a 415.
      if (body.trim() === "" && !headers.get("content-type")) {
        body = "{}";
        headers.set("content-type", "application/json");
      }
    }
    const req = new Request(`http://rest.internal${path}${url.search}`, { method, headers, body });
    const res = await createOpenApiFetchHandler({
      endpoint: "",
      router,
      req,
      // At run time the adapter hands createContext its node-style `res`, not the fetch adapter's resHeaders.
      createContext: (opts: unknown) => {
        const out = (opts as { res: { setHeader(k: string, v: string): void } }).res;
        return makeContext(c, deps, services, (k, v) => out.setHeader(k, v));
      },
      responseMeta: ({ paths, errors }: { paths?: readonly string[]; errors: readonly unknown[] }) => {
        const status = errors.length === 0 && paths?.[0] ? SUCCESS_STATUS[paths[0]] : undefined;
        return status ? { status } : {};
      },
      onError: ({ error, path: procedure }: { error: TRPCError; path?: string }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          deps.logger.error(
            { err: error.cause ?? error, path: procedure, reqId: c.get("requestId") },
            "procedure failed",
          );
        }
      },
    } as unknown as Parameters<typeof createOpenApiFetchHandler>[0]);
    if (res.status < 400) return res;
    return reshapeError(res, c.get("requestId"));
  };
}

/** The contract's error body: `{ message, code, issues?, requestId }`, whatever the adapter made of it. */
async function reshapeError(res: Response, requestId: string | undefined): Promise<Response> {
  let parsed: RestErrorBody = {};
  try {
    parsed = (await res.json()) as RestErrorBody;
  } catch {
    // not JSON: keep the status, build the body
  }
  const issues = parsed.data?.issues;
  const code =
    parsed.data?.code ??
    (parsed.code === "PARSE_ERROR" ? "BAD_REQUEST" : parsed.code) ??
    "INTERNAL_SERVER_ERROR";
  const message =
    res.status >= 500
      ? "Internal server error"
      : issues
        ? describeIssues(issues)
        : (parsed.message ?? "Request failed");
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify({ message, code, ...(issues ? { issues } : {}), requestId }), {
    status: res.status,
    headers,
  });
}

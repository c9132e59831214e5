import { contractCode, errorBody } from "@taskmgr/db/contracts";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import { describeIssues, type FieldIssue } from "../errors";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { successStatusOf } from "../trpc";
import { createForkedFetchHandler, type ParsedBody } from "../vendor/trpc-to-openapi-fetch";
import { makeContext } from "./context";
import { edgeError } from "./edge-errors";
import { logProcedureError } from "./log-procedure-error";
import { matchRoute, restRoutes } from "./rest-routes";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** What the adapter answers on an error: tRPC's envelope, the contract's fields under data. */
interface AdapterErrorBody {
  message?: string;
  code?: string;
  data?: { code?: string; issues?: FieldIssue[] };
}

/**
 * /api: the same procedures behind the REST door, through our fork of trpc-to-openapi's fetch adapter
 * (vendor/trpc-to-openapi-fetch.ts). Here: what the contract adds (405 with Allow, refused bodies, the error body).
 */
export function restHandler(deps: AppDeps, services: Services, router: AppRouter) {
  const procedures = router._def.procedures as Record<string, unknown>;
  const handle = createForkedFetchHandler({
    router,
    createContext: (extra, setHeader) => makeContext(extra as HonoContext, deps, services, setHeader),
    responseMeta: ({ paths, errors }) => {
      const status = errors.length === 0 && paths?.[0] ? successStatusOf(procedures[paths[0]]) : 200;
      return status !== 200 ? { status } : {};
    },
    onError: ({ error, path, extra }) =>
      logProcedureError(deps.logger, error, path, (extra as HonoContext | undefined)?.get("requestId")),
  });

  const routes = restRoutes(router);

  return async (c: HonoContext) => {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
    const matched = raw.method === "HEAD" ? null : matchRoute(routes, raw.method, path);
    if (matched && "allow" in matched) {
      c.header("Allow", matched.allow.join(", "));
      return edgeError(
        c,
        405,
        "METHOD_NOT_SUPPORTED",
        `${raw.method} is not allowed on ${url.pathname}; use ${matched.allow.join(", ")}`,
      );
    }
    // An object literal drops a "__proto__" key where every other unknown key would be refused by name.
    if (url.searchParams.has("__proto__")) {
      return edgeError(c, 400, "BAD_REQUEST", "__proto__: unknown field", [
        { path: "__proto__", message: "unknown field", code: "unrecognized_keys" },
      ]);
    }
    if (!BODY_METHODS.has(raw.method) && c.get("jsonBody")) {
      return edgeError(c, 400, "BAD_REQUEST", `${raw.method} ${url.pathname} takes no body`);
    }
    let headers = raw.headers;
    let body: ParsedBody = { ok: true, data: undefined };
    if (BODY_METHODS.has(raw.method)) {
      const text = c.get("jsonBody") as string | undefined;
      // The media type and the encoding are checked by the jsonBody middleware; the core wants it spelt exactly.
      headers = new Headers(headers);
      headers.set("content-type", "application/json");
      if (text === undefined) {
        // A POST with no body (POST /admin/overdue-sweep) is an empty object, not a 415.
        body = { ok: true, data: {} };
      } else {
        try {
          body = { ok: true, data: JSON.parse(text) };
        } catch (cause) {
          body = { ok: false, cause };
        }
      }
      if (body.ok && (typeof body.data !== "object" || body.data === null || Array.isArray(body.data))) {
        return edgeError(c, 400, "BAD_REQUEST", "Request body must be a JSON object");
      }
      // The core lets a path parameter overwrite the body's field of the same name: refuse it instead.
      const sent = body.ok ? (body.data as object) : {};
      const repeated = matched ? matched.route.params.filter((p) => Object.hasOwn(sent, p)) : [];
      if (repeated.length > 0) {
        const issues = repeated.map((p) => ({
          path: p,
          message: "unknown field (it is given by the path)",
          code: "unrecognized_keys",
        }));
        return edgeError(c, 400, "BAD_REQUEST", describeIssues(issues), issues);
      }
    }
    const res = await handle({ request: raw, path, search: url.search, headers, body, extra: c }).catch(
      (err) => {
        deps.logger.error({ err, reqId: c.get("requestId") }, "REST adapter failed");
        return new Response(JSON.stringify({ code: "INTERNAL_SERVER_ERROR" }), { status: 500 });
      },
    );
    if (res.status < 400) return res;
    return reshapeError(res, c.get("requestId"));
  };
}

/** The contract's error body: `{ message, code, issues?, requestId }`, whatever the adapter made of it. */
async function reshapeError(res: Response, requestId: string | undefined): Promise<Response> {
  let parsed: AdapterErrorBody = {};
  try {
    parsed = (await res.json()) as AdapterErrorBody;
  } catch {
    // not JSON: keep the status, build the body
  }
  const issues = parsed.data?.issues;
  const code = res.status === 500 ? "INTERNAL_SERVER_ERROR" : contractCode(parsed.data?.code ?? parsed.code);
  const message =
    res.status === 500 || code === "INTERNAL_SERVER_ERROR"
      ? "Internal server error"
      : issues
        ? describeIssues(issues)
        : (parsed.message ?? "Request failed");
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(errorBody({ message, code, issues, requestId: requestId ?? "" })), {
    status: res.status,
    headers,
  });
}

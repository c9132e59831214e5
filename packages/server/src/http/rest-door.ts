import { TRPCError } from "@trpc/server";
import type { Context as HonoContext } from "hono";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
import type { AppDeps } from "../deps";
import { describeIssues, type FieldIssue } from "../errors";
import type { AppRouter } from "../router";
import type { Services } from "../services";
import { makeContext } from "./context";
import { edgeError } from "./edge-errors";
import { logProcedureError } from "./log-procedure-error";
import { matchRoute, restRoutes } from "./rest-routes";

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

const HONO = Symbol("hono context");

type Parsed = { ok: true; data: unknown } | { ok: false; cause: unknown };

/**
 * /api: the same procedures behind the REST door, trpc-to-openapi's node-http core built once. Its fetch
 * adapter rebuilds that core (every procedure's path regex) on every request; this is the same adapter with
 * the core hoisted. The core strips no prefix itself: it sees a URL of our making, without "/api".
 */
export function restHandler(deps: AppDeps, services: Services, router: AppRouter) {
  const core = createOpenApiNodeHttpHandler({
    router,
    // At run time the core hands createContext its `res`, which is the shim below.
    createContext: ({ req, res }: { req: Record<symbol, HonoContext>; res: ResShim }) =>
      makeContext(req[HONO]!, deps, services, (k, v) => res.setHeader(k, v)),
    responseMeta: ({ paths, errors }: { paths?: readonly string[]; errors: readonly unknown[] }) => {
      const status = errors.length === 0 && paths?.[0] ? SUCCESS_STATUS[paths[0]] : undefined;
      return status ? { status } : {};
    },
    onError: ({ error, path, req }: { error: TRPCError; path?: string; req: Record<symbol, HonoContext> }) =>
      logProcedureError(deps.logger, error, path, req[HONO]?.get("requestId")),
  } as unknown as Parameters<typeof createOpenApiNodeHttpHandler>[0]) as unknown as (
    req: Request,
    res: ResShim,
  ) => Promise<void>;

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
    let headers = raw.headers;
    let body: Parsed = { ok: true, data: undefined };
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
    const target = `http://rest.internal${path}${url.search}`;
    // The core collects the query into a plain {} and takes `valueOf=` or `constructor=` for keys it already
    // holds (a 500). Given the query already parsed, into an object with no prototype, it uses that instead.
    const query: Record<string, string[]> = Object.create(null);
    for (const [key, value] of url.searchParams) {
      query[key] ??= [];
      query[key].push(value);
    }
    const req = new Proxy(raw, {
      get(request, prop) {
        if (prop === "url") return target;
        if (prop === "headers") return headers;
        if (prop === HONO) return c;
        if (prop === "query") return query;
        if (prop === "body") {
          if (!body.ok) {
            throw new TRPCError({
              code: "PARSE_ERROR",
              message: "Failed to parse request body",
              cause: body.cause,
            });
          }
          return body.data;
        }
        return Reflect.get(request, prop, request);
      },
    });
    const res = await new Promise<Response>((resolve) => {
      const resHeaders = new Headers();
      const shim: ResShim = {
        statusCode: 200,
        setHeader(key, value) {
          if (typeof value === "string") resHeaders.set(key, value);
          else for (const v of value) resHeaders.append(key, v);
        },
        end(out) {
          resolve(new Response(out ?? null, { status: shim.statusCode, headers: resHeaders }));
        },
      };
      core(req, shim).catch((err) => {
        deps.logger.error({ err, reqId: c.get("requestId") }, "REST adapter failed");
        resolve(new Response(JSON.stringify({ code: "INTERNAL_SERVER_ERROR" }), { status: 500 }));
      });
    });
    if (res.status < 400) return res;
    return reshapeError(res, c.get("requestId"));
  };
}

interface ResShim {
  statusCode: number;
  setHeader(key: string, value: string | readonly string[]): void;
  end(body?: string): void;
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
    res.status === 500 || code === "INTERNAL_SERVER_ERROR"
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

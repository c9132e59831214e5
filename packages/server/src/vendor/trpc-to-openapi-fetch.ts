/**
 * A fork of trpc-to-openapi@3.3.0's fetch adapter, `src/adapters/fetch.ts` (`createOpenApiFetchHandler`): it runs
 * the package's node-http core on a fetch `Request` and answers a fetch `Response`. Generic: it knows nothing of
 * this app (no imports from it). The differences, each with the report it answers (the reports' text is in
 * docs/upstream-reports.md, for filing upstream):
 *
 * 1. The core is built once per handler, not once per request. Upstream calls `createOpenApiNodeHttpHandler`
 *    inside the request handler, which compiles every procedure's path into a regular expression on every
 *    request. Report "trpc-to-openapi: the fetch adapter rebuilds the router's route table on every request".
 * 2. The caller hands the body already parsed (`body: { ok, data } | { ok: false, cause }`) instead of the
 *    adapter reading the stream: the caller checks the media type and encoding, and can refuse what the core
 *    would mishandle (a body field that a path parameter would silently overwrite). Report "trpc-to-openapi:
 *    a path parameter silently overwrites the body field of the same name".
 * 3. The query is handed parsed into an object with no prototype. The core collects it into a plain `{}` and
 *    then treats `?valueOf=x` or `?constructor=x` as keys it already holds: a 500. Report "trpc-to-openapi:
 *    query keys named like Object.prototype members answer 500".
 * 4. The URL the core sees is given by the caller (the path without the mount point), where upstream strips
 *    an `endpoint` prefix with `String.replace`, which also matched the prefix elsewhere in the URL.
 *
 * Delete it when upstream builds the core once and takes parsed input (or the reports are fixed otherwise):
 * packages/server/test/http-strictness.test.ts and rest hygiene tests must pass on the upstream adapter.
 */

import type { AnyTRPCRouter } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";

export type ParsedBody = { ok: true; data: unknown } | { ok: false; cause: unknown };

export interface ForkedFetchRequest {
  /** The request as received: headers, method and signal are read from it. */
  request: Request;
  /** The path the core routes on (without the mount point), and the query string with its "?". */
  path: string;
  search: string;
  /** Headers the core reads instead of the request's (a normalised content-type, say). */
  headers?: Headers;
  body: ParsedBody;
  /** Anything the caller's createContext needs from this request (its framework context, say). */
  extra: unknown;
}

export interface ForkedFetchHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  createContext(
    extra: unknown,
    setHeader: (key: string, value: string) => void,
  ): TContext | Promise<TContext>;
  /** The success status of a call of `path` (the first path of the call); undefined for the core's own. */
  responseMeta?(info: { paths: readonly string[] | undefined; errors: readonly unknown[] }): {
    status?: number;
  };
  onError?(info: { error: TRPCError; path: string | undefined; extra: unknown }): void;
}

const EXTRA = Symbol("forked fetch adapter: the caller's extra");

interface ResShim {
  statusCode: number;
  setHeader(key: string, value: string | readonly string[]): void;
  end(body?: string): void;
}

export function createForkedFetchHandler<TContext>(options: ForkedFetchHandlerOptions<TContext>) {
  const core = createOpenApiNodeHttpHandler({
    router: options.router,
    // At run time the core hands createContext its `res`, which is the shim below.
    createContext: ({ req, res }: { req: Record<symbol, unknown>; res: ResShim }) =>
      options.createContext(req[EXTRA], (k, v) => res.setHeader(k, v)),
    responseMeta: options.responseMeta,
    onError: ({ error, path, req }: { error: TRPCError; path?: string; req: Record<symbol, unknown> }) =>
      options.onError?.({ error, path, extra: req[EXTRA] }),
  } as unknown as Parameters<typeof createOpenApiNodeHttpHandler>[0]) as unknown as (
    req: Request,
    res: ResShim,
  ) => Promise<void>;

  return (input: ForkedFetchRequest): Promise<Response> => {
    const query: Record<string, string[]> = Object.create(null);
    for (const [key, value] of new URLSearchParams(input.search)) {
      query[key] ??= [];
      query[key].push(value);
    }
    const target = `http://fork.internal${input.path}${input.search}`;
    const headers = input.headers ?? input.request.headers;
    const req = new Proxy(input.request, {
      get(request, prop) {
        if (prop === "url") return target;
        if (prop === "headers") return headers;
        if (prop === EXTRA) return input.extra;
        if (prop === "query") return query;
        if (prop === "body") {
          if (!input.body.ok) {
            throw new TRPCError({
              code: "PARSE_ERROR",
              message: "Failed to parse request body",
              cause: input.body.cause,
            });
          }
          return input.body.data;
        }
        return Reflect.get(request, prop, request);
      },
    });
    return new Promise<Response>((resolve, reject) => {
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
      core(req, shim).catch(reject);
    });
  };
}

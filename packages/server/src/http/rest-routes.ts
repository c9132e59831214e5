import type { AnyTRPCRouter } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";

/** One REST route: a procedure's OpenAPI method and path, as a pattern over the path without "/api". */
export interface RestRoute {
  method: string;
  procedure: string;
  pattern: RegExp;
  /** Names of the path's parameters ({id}), which the body may not repeat. */
  params: string[];
}

/** "/tasks/{id}/" and "/tasks/{id}" are one path (the contract: with or without a trailing slash). */
export const normalizePath = (path: string) => `/${path.replace(/^\/+|\/+$/g, "")}`;

/** Every REST route of the router, from the procedures' `openapi` meta (the same source the adapter reads). */
export function restRoutes(router: AnyTRPCRouter): RestRoute[] {
  const procedures = router._def.procedures as Record<string, { _def: { meta?: OpenApiMeta } }>;
  return Object.entries(procedures).flatMap(([procedure, p]) => {
    const openapi = p._def.meta?.openapi;
    if (!openapi) return [];
    const params: string[] = [];
    const source = normalizePath(openapi.path)
      .split("/")
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment)?.[1];
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        params.push(param);
        return "[^/]+";
      })
      .join("/");
    return [{ method: openapi.method, procedure, pattern: new RegExp(`^${source}$`), params }];
  });
}

/** The route for a method and path, or the methods the path allows when none is for this method. */
export function matchRoute(
  routes: readonly RestRoute[],
  method: string,
  path: string,
): { route: RestRoute } | { allow: string[] } | null {
  const normalized = normalizePath(path);
  const onPath = routes.filter((r) => r.pattern.test(normalized));
  if (onPath.length === 0) return null;
  const route = onPath.find((r) => r.method === method);
  if (route) return { route };
  return { allow: [...new Set(onPath.map((r) => r.method))].sort() };
}

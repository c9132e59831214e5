import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument } from "../../src/http/openapi";
import { matchRoute, restRoutes } from "../../src/http/rest-routes";
import { appRouter } from "../../src/router";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the harness notes the REST door's answers (build-once.ts provides it). */
    answeredStatusesDir: string;
  }
}

// Every status the REST door answered across the test suite, compared with the statuses the OpenAPI document
// lists for that operation (build-once.ts checks it when the run ends): a status the server answers but the
// document leaves out is a failure.

/** Notes an answer of the REST door (the harness's rest() calls this for every call). */
export function recordAnswer(dir: string | undefined, method: string, url: string, status: number): void {
  if (!dir) return;
  appendFileSync(join(dir, `${process.pid}.log`), `${method} ${url} ${status}\n`);
}

/** The answers in `dir` that the document does not list, as "METHOD /path status" lines. */
export function undocumentedAnswers(dir: string): { checked: number; missing: string[] } {
  const doc = buildOpenApiDocument(appRouter, "check") as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  const routes = restRoutes(appRouter);
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { meta?: { openapi?: { path: string } } } }
  >;
  const missing = new Set<string>();
  let checked = 0;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      const [method, url, status] = line.split(" ");
      if (!method || !url || !status) continue;
      const path = new URL(url, "http://x").pathname;
      if (!path.startsWith("/api/")) continue;
      const matched = matchRoute(routes, method, path.slice("/api".length));
      // No route (404) or another method's (405): no operation of the document answered it.
      if (!matched || !("route" in matched)) continue;
      const template = procedures[matched.route.procedure]?._def.meta?.openapi?.path;
      const responses = template ? doc.paths[template]?.[method.toLowerCase()]?.responses : undefined;
      checked++;
      if (!responses?.[status]) missing.add(`${method} ${template ?? path} ${status}`);
    }
  }
  return { checked, missing: [...missing].sort() };
}

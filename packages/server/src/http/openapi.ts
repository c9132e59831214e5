import { ErrorBody } from "@taskmgr/db/contracts";
import { generateOpenApiDocument } from "trpc-to-openapi";
import { createSchema } from "zod-openapi";
import type { AppRouter } from "../router";
import { successStatusOf } from "../trpc";

type Doc = ReturnType<typeof generateOpenApiDocument>;

// The error body's schema (and FieldIssue's) from the contract's zod schema, as components.
const ERROR_SCHEMA = createSchema(ErrorBody, { io: "output" });

/** The OpenAPI 3 document of the REST door, with the statuses and error shape the adapter leaves out. */
export function buildOpenApiDocument(router: AppRouter, version: string): Doc {
  const doc = generateOpenApiDocument(router, {
    title: "Task Manager API",
    version,
    baseUrl: "/api",
    description: "The REST facade of the task manager. Every route is a tRPC procedure at /trpc as well.",
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  doc.components ??= {};
  doc.components.schemas = { ...doc.components.schemas, ...(ERROR_SCHEMA.components as object) };
  const procedureByRoute = routeIndex(router);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      const op = (item as Record<string, { responses?: Record<string, unknown> } | undefined>)[method];
      if (!op?.responses) continue;
      const procedure = procedureByRoute.get(`${method.toUpperCase()} ${path}`);
      const procedures = router._def.procedures as Record<string, unknown>;
      const status = procedure ? successStatusOf(procedures[procedure]) : 200;
      if (status !== 200 && op.responses["200"]) {
        op.responses[String(status)] =
          status === 204
            ? { description: "No content" }
            : { ...(op.responses["200"] as object), description: "Created" };
        delete op.responses["200"];
      }
      // What any operation may answer besides its own errors: the caller's budget spent (README, Security), and
      // the database unavailable, busy hashing, or past the statement timeout; a body that is not JSON.
      op.responses["429"] ??= {
        description: "Too many requests: the caller's budget is spent (see Retry-After)",
      };
      op.responses["503"] ??= { description: "Unavailable for now: retry later (see Retry-After)" };
      if (method !== "get" && method !== "delete") {
        op.responses["415"] ??= { description: "The body is not application/json" };
      }
      for (const [code, response] of Object.entries(op.responses)) {
        if (Number(code) >= 400 || code === "default") {
          op.responses[code] = {
            description: (response as { description?: string }).description ?? "Error",
            content: { "application/json": { schema: ERROR_SCHEMA.schema as never } },
          };
        }
      }
    }
  }
  return doc;
}

function routeIndex(router: AppRouter): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, procedure] of Object.entries(router._def.procedures)) {
    const meta = (procedure as unknown as { _def: { meta?: { openapi?: { method: string; path: string } } } })
      ._def.meta;
    if (meta?.openapi) index.set(`${meta.openapi.method} ${meta.openapi.path}`, name);
  }
  return index;
}

import { ErrorBody } from "@taskmgr/db/contracts";
import { generateOpenApiDocument } from "trpc-to-openapi";
import { createSchema } from "zod-openapi";
import type { AppRouter } from "../router";
import { metaOf, successStatusOf } from "../trpc";

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
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "An access token from /auth/login, or an API key (tm_…) from /api-keys",
      },
    },
  });
  doc.components ??= {};
  doc.components.schemas = { ...doc.components.schemas, ...(ERROR_SCHEMA.components as object) };
  // GET /events is events.subscribe behind the REST door (http/events-stream.ts), which the adapter does not see.
  doc.paths = { ...doc.paths, "/events": { get: EVENTS_OPERATION as never } };
  const procedureByRoute = routeIndex(router);
  const procedures = router._def.procedures as Record<string, unknown>;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      const op = (item as Record<string, { responses?: Record<string, unknown> } | undefined>)[method];
      if (!op?.responses) continue;
      const procedure = procedureByRoute.get(`${method.toUpperCase()} ${path}`);
      const status = procedure ? successStatusOf(procedures[procedure]) : 200;
      if (status !== 200 && op.responses["200"]) {
        op.responses[String(status)] =
          status === 204
            ? { description: "No content" }
            : { ...(op.responses["200"] as object), description: "Created" };
        delete op.responses["200"];
      }
      // What any operation may answer besides its own errors (API.md, Errors; README, Security): a bad query or
      // body, a query string over the limit, the caller's budget spent, the database unavailable or past the
      // statement timeout, a crash; on operations with a body, one too large or not JSON.
      const meta = procedure ? metaOf(procedures[procedure]) : undefined;
      const own = meta?.errors ?? [];
      const body = method === "post" || method === "patch" || method === "put";
      // A change with an Idempotency-Key may also be a repeat while the first runs (409) or a different request
      // under a used key (422).
      const change = method !== "get" && (meta?.openapi?.protect ?? false);
      const statuses = [
        ...own,
        400,
        414,
        429,
        500,
        503,
        ...(body ? [413, 415] : []),
        ...(change ? [409, 422] : []),
      ];
      if (change) {
        const withParameters = op as { parameters?: unknown[] };
        withParameters.parameters = [...(withParameters.parameters ?? []), IDEMPOTENCY_KEY];
      }
      for (const status of statuses) {
        op.responses[String(status)] ??= { description: "Error" };
      }
      // An operation without the bearer scheme says so, rather than leaving a reader to guess.
      (op as { security?: unknown[] }).security ??= [];
      for (const [code, response] of Object.entries(op.responses)) {
        if (Number(code) >= 400 || code === "default") {
          op.responses[code] = {
            description:
              STATUS_TEXT[Number(code)] ?? (response as { description?: string }).description ?? "Error",
            content: { "application/json": { schema: ERROR_SCHEMA.schema as never } },
          };
        }
      }
    }
  }
  // The adapter's own error components (error.BAD_REQUEST, …) are replaced by Error everywhere above.
  for (const name of Object.keys(doc.components.schemas ?? {})) {
    if (name.startsWith("error.")) delete (doc.components.schemas as Record<string, unknown>)[name];
  }
  doc.info.license = { name: "MIT", identifier: "MIT" };
  return doc;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input: the message and issues name the field",
  401: "Missing, malformed, expired or revoked token; or wrong credentials",
  403: "The caller's role may not do this",
  404: "No such resource, or one the caller may not see",
  409: "Conflict: a version mismatch, a taken username, the last active admin, or a request with this Idempotency-Key still running",
  413: "The body is larger than 1 MiB",
  414: "The query string is too long",
  415: "The body is not application/json",
  422: "This Idempotency-Key was used for a different request",
  429: "Too many requests: the caller's budget is spent, or too many failed logins (see Retry-After)",
  500: "Internal server error (no details)",
  503: "Unavailable for now: the database, the hashing queue or the statement timeout; retry later (see Retry-After)",
};

const EVENTS_OPERATION = {
  operationId: "events-subscribe",
  tags: ["events"],
  summary: "Live task events (text/event-stream), resuming after Last-Event-ID",
  description:
    "Each event is `id:` its id, `event:` its type, `data:` its JSON (TaskEvent); `: keep-alive` comments at least every 15 s. A caller sees only events of tasks it may see. A stream that ends for a reason sends an `error` event with `{message, code}` first.",
  security: [{ bearerAuth: [] }],
  parameters: [
    {
      name: "type",
      in: "query",
      required: false,
      description: "task.created, task.updated, task.deleted or task.overdue: repeatable, or a comma list",
      schema: { type: "string" },
    },
    { name: "taskId", in: "query", required: false, schema: { type: "string", format: "uuid" } },
    {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      description: "resume after this event id: every event missed since, once",
      schema: { type: "string" },
    },
  ],
  responses: {
    "200": {
      description: "The stream",
      content: { "text/event-stream": { schema: { type: "string" } } },
    },
    "401": { description: "Error" },
    "403": { description: "Error" },
  },
} as const;

const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "1–255 printable ASCII characters. The first answer is kept 24 h for this caller and key; a repeat of the same request gets it again (with Idempotent-Replayed: true), a different request under the key is 422, a repeat while the first runs is 409.",
  schema: { type: "string", minLength: 1, maxLength: 255 },
} as const;

function routeIndex(router: AppRouter): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, procedure] of Object.entries(router._def.procedures)) {
    const meta = (procedure as unknown as { _def: { meta?: { openapi?: { method: string; path: string } } } })
      ._def.meta;
    if (meta?.openapi) index.set(`${meta.openapi.method} ${meta.openapi.path}`, name);
  }
  return index;
}

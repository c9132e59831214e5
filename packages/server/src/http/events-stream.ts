import { getTRPCErrorFromUnknown, isTrackedEnvelope } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context as HonoContext } from "hono";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppDeps } from "../deps";
import { contractError, describeIssues, retryAfterOf } from "../errors";
import { appRouter } from "../router";
import type { Services } from "../services";
import { createCallerFactory } from "../trpc";
import { makeContext } from "./context";
import { edgeError } from "./edge-errors";

const KEEP_ALIVE_MS = 15_000;
const QUERY_KEYS = new Set(["type", "taskId"]);
const createCaller = createCallerFactory(appRouter);

// Every stream that sends an event gets the same object (services/events.ts): its JSON is made once.
const serialized = new WeakMap<object, string>();
function jsonOf(event: object): string {
  let json = serialized.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    serialized.set(event, json);
  }
  return json;
}

/**
 * GET /api/events: the events.subscribe procedure behind the REST door, as a plain text/event-stream (`id:` the
 * event id, `event:` its type, `data:` its JSON; `: keep-alive` comments), resuming after `Last-Event-ID`.
 */
export function eventsStream(deps: AppDeps, services: Services) {
  const app = new Hono();
  app.get("/api/events", async (c) => {
    const unknown = Object.keys(c.req.queries()).filter((k) => !QUERY_KEYS.has(k));
    if (unknown.length > 0) {
      const issues = unknown.map((path) => ({ path, message: "unknown field", code: "unrecognized_keys" }));
      return edgeError(c, 400, "BAD_REQUEST", describeIssues(issues), issues);
    }
    const types = c.req.queries("type");
    const input = {
      ...(types ? { type: types.join(",") } : {}),
      ...(c.req.query("taskId") !== undefined ? { taskId: c.req.query("taskId") } : {}),
      ...(c.req.header("last-event-id") ? { lastEventId: c.req.header("last-event-id") } : {}),
    };
    const headers = new Map<string, string>();
    const abort = new AbortController();
    const ctx = makeContext(c, deps, services, (k, v) => headers.set(k, v));
    let events: AsyncIterable<unknown>;
    try {
      events = await createCaller(ctx, { signal: abort.signal }).events.subscribe(input as never);
    } catch (err) {
      for (const [k, v] of headers) c.header(k, v);
      return refusal(c, err);
    }
    for (const [k, v] of headers) c.header(k, v);
    return streamSSE(
      c,
      async (stream) => {
        stream.onAbort(() => abort.abort());
        const keepAlive = setInterval(() => {
          if (!stream.aborted) void stream.write(": keep-alive\n\n").catch(() => abort.abort());
        }, KEEP_ALIVE_MS);
        try {
          for await (const item of events) {
            if (stream.aborted) break;
            const [id, event] = isTrackedEnvelope(item) ? [item[0], item[1]] : [undefined, item];
            await stream.writeSSE({
              ...(id !== undefined ? { id: String(id) } : {}),
              event: (event as { type: string }).type,
              data: jsonOf(event as object),
            });
          }
        } catch (err) {
          // The stream ends with what ended it, as an event of its own (never an internal error's details).
          const { code, message } = contractError(getTRPCErrorFromUnknown(err));
          if (!stream.aborted)
            await stream.writeSSE({ event: "error", data: JSON.stringify({ message, code }) });
        } finally {
          clearInterval(keepAlive);
          abort.abort();
        }
      },
      async () => {},
    );
  });
  return app;
}

/** A refusal before the stream starts: the contract's error body and status, as every REST answer. */
function refusal(c: HonoContext, err: unknown): Response {
  const e = getTRPCErrorFromUnknown(err);
  const { code, message, issues } = contractError(e);
  const retryAfter = retryAfterOf(e);
  if (retryAfter) c.header("Retry-After", String(retryAfter));
  return edgeError(c, getHTTPStatusCodeFromError(e) as ContentfulStatusCode, code, message, issues);
}

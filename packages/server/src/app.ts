import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./deps";
import { edgeError } from "./http/edge-errors";
import { eventsStream } from "./http/events-stream";
import { healthRoutes } from "./http/health";
import { jsonBody } from "./http/json-body";
import { buildOpenApiDocument } from "./http/openapi";
import { queueDashboard } from "./http/queue-dashboard";
import { requestLogger } from "./http/request-logger";
import { restHandler } from "./http/rest-door";
import { consoleRoutes, docsRoutes } from "./http/static-assets";
import { trpcHandler } from "./http/trpc-door";
import { MAX_BODY_BYTES, MAX_QUERY_CHARS } from "./limits";
import { appRouter } from "./router";
import { createServices, type Services } from "./services";

/** A client that closed its connection before its request was read whole. */
function clientWentAway(c: Context, err: Error): boolean {
  return c.req.raw.signal.aborted && err.message === "aborted";
}

/** The HTTP surface: middleware, health, /trpc, /api, /docs, /admin. */
export function createApp(deps: AppDeps, services: Services = createServices(deps)) {
  const app = new Hono();
  // A caller's id is kept only if short and made of [A-Za-z0-9_=-]; else one is generated. It goes on the
  // response after the handler: the doors answer with Responses of their own, which would drop a header set before.
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(async (c, next) => {
    await next();
    c.res.headers.set("X-Request-Id", c.get("requestId"));
  });
  app.use(requestLogger(deps.logger));
  app.use(secureHeaders());
  if (deps.config.CORS_ORIGINS.length > 0) {
    app.use(
      cors({
        origin: deps.config.CORS_ORIGINS,
        exposeHeaders: ["X-Request-Id", "Retry-After"],
      }),
    );
  }
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      // The rest of the body is never read: the connection is closed after the answer, so a kept-alive
      // client opens a new one instead of writing its next request behind the unread bytes.
      onError: (c) => {
        c.header("Connection", "close");
        return edgeError(c, 413, "PAYLOAD_TOO_LARGE", "Request body is larger than 1 MiB");
      },
    }),
  );
  app.use(async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf("?");
    if (q >= 0 && url.length - q - 1 > MAX_QUERY_CHARS) {
      return edgeError(c, 414, "BAD_REQUEST", `Query string is longer than ${MAX_QUERY_CHARS} characters`);
    }
    await next();
  });
  app.use("/api/*", jsonBody());
  app.use("/trpc/*", jsonBody());
  app.route("/", healthRoutes(deps));

  let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get("/api/openapi.json", (c) => {
    openApiDocument ??= buildOpenApiDocument(appRouter, "0.1.0");
    return c.json(openApiDocument);
  });
  app.route("/", docsRoutes());
  app.route("/", queueDashboard(deps, services));
  app.route("/", consoleRoutes(deps.consoleDir));
  // Someone who opens the server's address learns where the API's reference and doors are.
  app.get("/", (c) =>
    c.json({
      name: "Task Manager API",
      console: "/admin",
      docs: "/docs",
      openapi: "/api/openapi.json",
      rest: "/api",
      trpc: "/trpc",
      health: "/healthz",
    }),
  );
  app.all("/trpc/*", trpcHandler(deps, services, appRouter));
  app.route("/", eventsStream(deps, services));
  const rest = restHandler(deps, services, appRouter);
  app.all("/api", rest);
  app.all("/api/*", rest);
  app.notFound((c) => edgeError(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (clientWentAway(c, err)) {
      // Nobody is there to read an answer, and nothing is wrong with the server: one debug line.
      deps.logger.debug({ reqId: c.get("requestId"), err: err.message }, "client went away mid-request");
      return edgeError(c, 400, "BAD_REQUEST", "The request was aborted by the client");
    }
    deps.logger.error({ err, reqId: c.get("requestId") }, "unhandled error");
    return edgeError(c, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  });
  return app;
}

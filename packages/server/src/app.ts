import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./deps";
import { edgeError } from "./http/edge-errors";
import { healthRoutes } from "./http/health";
import { buildOpenApiDocument } from "./http/openapi";
import { requestLogger } from "./http/request-logger";
import { restHandler } from "./http/rest-door";
import { trpcHandler } from "./http/trpc-door";
import { appRouter } from "./router";
import { createServices, type Services } from "./services";

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_QUERY_CHARS = 4096;

/** The HTTP surface: middleware, health, /trpc, /api, /docs. */
export function createApp(deps: AppDeps, services: Services = createServices(deps)) {
  const app = new Hono();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(requestLogger(deps.logger));
  app.use(secureHeaders());
  if (deps.config.CORS_ORIGINS.length > 0) {
    app.use(
      cors({
        origin: deps.config.CORS_ORIGINS,
        credentials: true,
        exposeHeaders: ["X-Request-Id", "Retry-After"],
      }),
    );
  }
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => edgeError(c, 413, "PAYLOAD_TOO_LARGE", "Request body is larger than 1 MiB"),
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
  app.route("/", healthRoutes(deps));

  let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get("/api/openapi.json", (c) => {
    openApiDocument ??= buildOpenApiDocument(appRouter, "0.1.0");
    return c.json(openApiDocument);
  });
  app.get("/docs", Scalar({ url: "/api/openapi.json", pageTitle: "Task Manager API" }));
  app.all("/trpc/*", trpcHandler(deps, services, appRouter));
  const rest = restHandler(deps, services, appRouter);
  app.all("/api", rest);
  app.all("/api/*", rest);
  app.notFound((c) => edgeError(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    deps.logger.error({ err, reqId: c.get("requestId") }, "unhandled error");
    return edgeError(c, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  });
  return app;
}

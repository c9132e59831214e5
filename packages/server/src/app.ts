import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./deps";
import { healthRoutes } from "./http/health";
import { requestLogger } from "./http/request-logger";

export const MAX_BODY_BYTES = 1024 * 1024;

/** The HTTP surface: middleware, health, /trpc, /api, /docs. */
export function createApp(deps: AppDeps) {
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
      onError: (c) =>
        c.json({ message: "Request body is larger than 1 MiB", code: "PAYLOAD_TOO_LARGE" }, 413),
    }),
  );
  app.route("/", healthRoutes(deps));
  app.notFound((c) =>
    c.json({ message: `No route for ${c.req.method} ${c.req.path}`, code: "NOT_FOUND" }, 404),
  );
  app.onError((err, c) => {
    deps.logger.error({ err, reqId: c.get("requestId") }, "unhandled error");
    return c.json({ message: "Internal server error", code: "INTERNAL_SERVER_ERROR" }, 500);
  });
  return app;
}

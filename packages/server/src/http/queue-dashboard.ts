import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, generateCookie, getCookie } from "hono/cookie";
import type { AppDeps } from "../deps";
import type { Services } from "../services";
import { bearerCredential } from "../trpc";
import { edgeError } from "./edge-errors";
import { fromOwnOrigin } from "./session-cookie";

const BASE = "/admin/queues";
const COOKIE = "tm_queues";

/**
 * /admin/queues: BullMQ's dashboard (bull-board) for admins, with Redis only (API.md, Console).
 *
 * A browser opening the dashboard sends no Authorization header, and the console's refresh cookie goes to
 * /api/auth only. So the console first calls `POST /admin/queues/session` with its access token: the answer
 * sets that token as an HttpOnly, SameSite=Strict cookie scoped to /admin/queues, living as long as the token.
 * Every request under /admin/queues (the page, its assets and its API, whose /api/redis/stats shows server
 * details) is then checked as a procedure's caller is: a valid token of an active ADMIN in a live session.
 */
export function queueDashboard(deps: AppDeps, services: Services): Hono {
  const app = new Hono();
  const queue = deps.sweeper.queue;
  if (!deps.redis || !queue) {
    const off = (c: Context) =>
      edgeError(
        c,
        404,
        "NOT_FOUND",
        "The queue dashboard needs Redis: set REDIS_URL (jobs then go through BullMQ)",
      );
    app.all(BASE, off);
    app.all(`${BASE}/*`, off);
    return app;
  }

  /**
   * The caller (from the Authorization header, else the cookie): 401 without a valid token of a live session,
   * 403 for one that is not an active admin's.
   */
  async function caller(c: Context): Promise<{ token: string; exp: number } | 401 | 403> {
    const token = bearerCredential(c.req.header("authorization")) ?? getCookie(c, COOKIE);
    if (!token) return 401;
    const claims = await services.tokens.verifyAccess(token);
    if (!claims) return 401;
    const user = await services.users.findActive(claims.sub, claims.sid);
    if (!user) return 401;
    return user.role === "ADMIN" ? { token, exp: claims.exp } : 403;
  }
  const refuse = (c: Context, status: 401 | 403) =>
    status === 401
      ? edgeError(c, 401, "UNAUTHORIZED", "Sign in as an admin in the console first")
      : edgeError(c, 403, "FORBIDDEN", "The queue dashboard is for active admins only");

  app.post(`${BASE}/session`, async (c) => {
    if (!c.req.header("authorization")) return refuse(c, 401);
    const who = await caller(c);
    if (typeof who === "number") return refuse(c, who);
    c.header(
      "Set-Cookie",
      generateCookie(COOKIE, who.token, {
        path: BASE,
        httpOnly: true,
        sameSite: "Strict",
        secure: deps.config.isProduction,
        // As long as the token it carries, no longer.
        maxAge: Math.max(1, who.exp - Math.floor(Date.now() / 1000)),
      }),
    );
    c.header("Cache-Control", "no-store");
    return c.body(null, 204);
  });

  const guard: MiddlewareHandler = async (c, next) => {
    // The dashboard's writes (retry, add, clean) come from its own page only: SameSite keeps other sites out,
    // this keeps out other origins of the same site (a sibling subdomain, another port).
    const reads = c.req.method === "GET" || c.req.method === "HEAD";
    if (!reads && !fromOwnOrigin(c, deps.config.CORS_ORIGINS)) {
      return edgeError(c, 403, "FORBIDDEN", "The queue dashboard accepts changes from its own page only");
    }
    const who = await caller(c);
    if (typeof who !== "number") return next();
    deleteCookie(c, COOKIE, { path: BASE });
    // A person who opens the address without a session is sent to sign in; a script gets the error.
    if (who === 401 && c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
      return c.redirect(`/admin/login?redirect=${encodeURIComponent("/operations")}`, 302);
    }
    return refuse(c, who);
  };
  app.use(BASE, guard);
  app.use(`${BASE}/*`, guard);

  const adapter = new HonoAdapter(serveStatic).setBasePath(BASE);
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: adapter });
  app.route(BASE, adapter.registerPlugin());
  return app;
}

import { Hono } from "hono";
import type { AppDeps } from "../deps";

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** /healthz: the process runs. /readyz: its database (and Redis, when configured) answer. */
export function healthRoutes({ database, redis }: AppDeps) {
  return new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", async (c) => {
      const checks: Record<string, "ok" | string> = {};
      try {
        await withTimeout(database.ping(), CHECK_TIMEOUT_MS);
        checks.database = "ok";
      } catch (err) {
        checks.database = `unavailable: ${(err as Error).message.slice(0, 200)}`;
      }
      if (redis) {
        try {
          await withTimeout(redis.ping(), CHECK_TIMEOUT_MS);
          checks.redis = "ok";
        } catch (err) {
          checks.redis = `unavailable: ${(err as Error).message.slice(0, 200)}`;
        }
      }
      const ready = Object.values(checks).every((v) => v === "ok");
      return c.json({ status: ready ? "ok" : "unavailable", checks }, ready ? 200 : 503);
    });
}

import { createTestDb, postgresTestUrl, type TestDatabase } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnScript } from "./support/process";

const redisUrl = process.env.REDIS_URL;
// Under CI both services are always there: a missing one fails these tests instead of skipping them.
const skip = (!redisUrl || !postgresTestUrl()) && !process.env.CI;

describe.skipIf(skip)("server and worker as separate processes (PostgreSQL + Redis)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    if (!redisUrl || !postgresTestUrl()) throw new Error("REDIS_URL and DATABASE_URL must be set under CI");
    database = await createTestDb("postgres");
  });
  afterAll(() => database?.close());

  it("an admin's sweep request goes through the queue to the worker and returns its result", async () => {
    const prefix = `proc-${Date.now()}`;
    const common = {
      DATABASE_URL: database.url!,
      REDIS_URL: redisUrl!,
      QUEUE_PREFIX: prefix,
      OVERDUE_SWEEP_INTERVAL_SECONDS: "3600",
    };
    const server = spawnScript("src/main.ts", [], {
      ...common,
      RUN_WORKER: "false",
      PORT: "0",
      ADMIN_PASSWORD: "admin-password-1",
      JWT_SECRET: "j".repeat(40),
    });
    const worker = spawnScript("src/worker-main.ts", [], common);
    try {
      const base = `http://127.0.0.1:${await server.listening()}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: object }).checks).toEqual({ database: "ok", redis: "ok" });
      const { access } = (await (
        await fetch(`${base}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "admin", password: "admin-password-1" }),
        })
      ).json()) as { access: string };
      const auth = { authorization: `Bearer ${access}`, "content-type": "application/json" };
      const created = await fetch(`${base}/api/tasks`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ title: "late", dueDate: "2021-01-01" }),
      });
      expect(created.status).toBe(201);
      const sweep = await fetch(`${base}/api/admin/overdue-sweep`, {
        method: "POST",
        headers: { authorization: auth.authorization },
      });
      expect(sweep.status).toBe(200);
      expect(await sweep.json()).toEqual({ markedOverdue: 1 });
      expect(worker.output()).toMatch(/"trigger":"request","markedOverdue":1/);
    } finally {
      server.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(await worker.exited).toBe(0);
    }
  }, 60_000);
});

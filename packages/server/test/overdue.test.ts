import { activityLog, tasks } from "@taskmgr/db";
import { sweepOverdue } from "@taskmgr/db/task-store";
import { and, inArray } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { testConfig, testLogger } from "./support/config";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("the overdue sweep through the API", () => {
  let h: Harness;
  let intern: TestUser;
  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("POST /api/admin/overdue-sweep runs it now and answers how many it marked", async () => {
    const late = (
      await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        body: { title: "late", dueDate: "2020-01-01" },
      })
    ).body;
    const res = await h.rest("POST", "/api/admin/overdue-sweep", { token: h.admin.access });
    expect(res.status).toBe(200);
    expect(res.body.markedOverdue).toBeGreaterThanOrEqual(1);
    const task = (await h.rest("GET", `/api/tasks/${late.id}`, { token: h.admin.access })).body;
    expect(task).toMatchObject({ status: "OVERDUE", version: 2 });
    const log = (await h.rest("GET", `/api/tasks/${late.id}/logs`, { token: h.admin.access })).body
      .results[0];
    expect(log).toMatchObject({
      action: "MARKED_OVERDUE",
      actorId: null,
      field: "status",
      oldValue: "PENDING",
      newValue: "OVERDUE",
    });
    expect(await h.trpc(h.admin).admin.overdueSweep.mutate()).toEqual({ markedOverdue: 0 });
  });

  it("is ADMIN only", async () => {
    expect((await h.rest("POST", "/api/admin/overdue-sweep", { token: intern.access })).status).toBe(403);
    expect((await h.rest("POST", "/api/admin/overdue-sweep")).status).toBe(401);
  });

  it("answers 503 when the queue cannot run it", async () => {
    const down = await startHarness({
      database: h.database,
      sweeper: { runNow: () => Promise.reject(new Error("Connection is closed.")) },
    });
    const res = await down.rest("POST", "/api/admin/overdue-sweep", { token: down.admin.access });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("racing user PATCHes loses no change and logs each marking once", async () => {
    const past = new Date(Date.now() - 3_600_000);
    const future = new Date(Date.now() + 30 * 86_400_000);
    const rows = await h.database.db
      .insert(tasks)
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          title: `race ${i}`,
          dueDate: past,
          createdById: h.admin.id,
        })),
      )
      .returning();
    // Half the PATCHes rescue the task (due date to the future), half rename it; three sweeps run meanwhile.
    await Promise.all([
      ...rows.map((row, i) =>
        h.rest("PATCH", `/api/tasks/${row.id}`, {
          token: h.admin.access,
          body: i % 2 === 0 ? { dueDate: future.toISOString() } : { title: `renamed ${i}` },
        }),
      ),
      sweepOverdue(h.database.db),
      sweepOverdue(h.database.db),
      sweepOverdue(h.database.db),
    ]);
    await sweepOverdue(h.database.db); // whatever a held lock made the others skip
    const after = await h.database.db
      .select()
      .from(tasks)
      .where(
        inArray(
          tasks.id,
          rows.map((r) => r.id),
        ),
      );
    const entries = await h.database.db
      .select()
      .from(activityLog)
      .where(
        and(
          inArray(
            activityLog.taskId,
            rows.map((r) => r.id),
          ),
        ),
      );
    for (const [i, row] of rows.entries()) {
      const task = after.find((t) => t.id === row.id)!;
      const mine = entries.filter((e) => e.taskId === row.id);
      const marked = mine.filter((e) => e.action === "MARKED_OVERDUE").length;
      const writes = new Set(mine.filter((e) => e.action !== "CREATED").map((e) => e.createdAt.getTime()))
        .size;
      expect(marked).toBeLessThanOrEqual(1);
      expect(task.version, `task ${i}: one version per write`).toBe(1 + writes);
      if (i % 2 === 0) {
        expect(task.dueDate?.getTime()).toBe(future.getTime());
        expect(task.status).toBe("PENDING");
      } else {
        expect(task.title).toBe(`renamed ${i}`);
        expect(task.status).toBe("OVERDUE");
        expect(marked).toBe(1);
      }
    }
  });
});

describe("/readyz with Redis configured", () => {
  it("says 503 naming Redis when Redis does not answer, while the API keeps serving", async () => {
    const h = await startHarness();
    const deadRedis = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    deadRedis.on("error", () => {});
    try {
      const app = createApp({
        config: testConfig(),
        database: h.database,
        logger: testLogger(),
        redis: deadRedis,
        sweeper: { runNow: async () => ({ markedOverdue: 0 }) },
      });
      const ready = await app.request("/readyz");
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, string> };
      expect(body.checks.redis).toMatch(/unavailable/);
      expect(body.checks.database).toBe("ok");
      const login = await app.request("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: h.admin.username, password: h.admin.password }),
      });
      expect(login.status).toBe(200);
    } finally {
      deadRedis.disconnect();
      await h.close();
    }
  });
});

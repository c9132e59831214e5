import { execFileSync, spawn } from "node:child_process";
import { activityLog, rowsOf, tasks } from "@taskmgr/db";
import { createTestDb, skipWithoutPostgres, type TestDatabase } from "@taskmgr/db/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSweeper } from "../src";
import {
  insertTasks,
  makeOwner,
  requireRedis,
  silentLogger,
  skipWithoutRedis,
  sleep,
  spawnWorker,
  uniquePrefix,
  waitFor,
} from "./support";

const noPostgres = skipWithoutPostgres();

async function statusOf(database: TestDatabase, id: string) {
  const [row] = await database.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, id));
  return row?.status;
}

describe.skipIf(skipWithoutRedis)("the sweep on BullMQ (real Redis)", () => {
  let database: TestDatabase;
  let owner: string;
  let redisUrl: string;
  beforeAll(async () => {
    redisUrl = requireRedis();
    database = await createTestDb();
    owner = await makeOwner(database);
  });
  afterAll(() => database?.close());

  it("fires by itself every second and marks a task that became due", async () => {
    const sweeper = await startSweeper({
      database,
      logger: silentLogger(),
      redisUrl,
      intervalSeconds: 1,
      runSweepsHere: true,
      batchSize: 5000,
      queuePrefix: uniquePrefix(),
    });
    try {
      const [task] = await insertTasks(database, owner, [{ dueDate: new Date(Date.now() + 1500) }]);
      expect(await statusOf(database, task!.id)).toBe("PENDING");
      await waitFor(
        async () => (await statusOf(database, task!.id)) === "OVERDUE",
        8000,
        "the scheduled sweep",
      );
    } finally {
      await sweeper.stop();
    }
  });

  it("runs a sweep now through the queue and returns its result", async () => {
    const sweeper = await startSweeper({
      database,
      logger: silentLogger(),
      redisUrl,
      intervalSeconds: 3600,
      runSweepsHere: true,
      batchSize: 5000,
      queuePrefix: uniquePrefix(),
    });
    try {
      await sleep(500); // a new schedule's first run happens at once; let it pass
      await insertTasks(database, owner, [
        { dueDate: new Date(Date.now() - 1000) },
        { dueDate: new Date(Date.now() - 1000) },
      ]);
      expect(await sweeper.runNow()).toEqual({ markedOverdue: 2 });
    } finally {
      await sweeper.stop();
    }
  });

  // Separate processes need a shared database: these run on PostgreSQL (always there in CI).
  it.skipIf(noPostgres)(
    "two worker processes over several periods write exactly one MARKED_OVERDUE entry per task",
    async () => {
      if (!database.url) throw new Error("needs PostgreSQL: set DATABASE_URL");
      const prefix = uniquePrefix();
      const start = Date.now();
      const rows = await insertTasks(
        database,
        owner,
        Array.from({ length: 30 }, (_, i) => ({ dueDate: new Date(start + 500 + i * 150) })),
      );
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        OVERDUE_SWEEP_INTERVAL_SECONDS: "1",
      };
      const workers = [spawnWorker(env), spawnWorker(env)];
      try {
        await waitFor(
          async () => {
            const [row] = await database.db
              .select({ n: sql<number>`count(*)::int` })
              .from(tasks)
              .where(
                and(
                  inArray(
                    tasks.id,
                    rows.map((r) => r.id),
                  ),
                  eq(tasks.status, "OVERDUE"),
                ),
              );
            return row!.n === rows.length;
          },
          60_000,
          "all 30 tasks marked",
        );
        // More periods, on both workers: at least four runs in all, however slow the machine is today.
        const runsSoFar = () => workers.map((w) => (w.output().match(/"msg":"overdue sweep"/g) ?? []).length);
        await waitFor(
          async () => {
            const [a, b] = runsSoFar();
            return a! + b! >= 4;
          },
          60_000,
          "four sweep runs",
        );
        const entries = await database.db
          .select({ taskId: activityLog.taskId })
          .from(activityLog)
          .where(
            and(
              inArray(
                activityLog.taskId,
                rows.map((r) => r.id),
              ),
              eq(activityLog.action, "MARKED_OVERDUE"),
            ),
          );
        expect(entries).toHaveLength(rows.length);
        expect(new Set(entries.map((e) => e.taskId)).size).toBe(rows.length);
        const runs = runsSoFar();
        expect(runs[0]! + runs[1]!).toBeGreaterThanOrEqual(4);
        // One run per period, not one per worker per period.
        expect(runs[0]! + runs[1]!).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 1000) + 2);
      } finally {
        for (const w of workers) w.child.kill("SIGTERM");
        expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
      }
    },
    120_000,
  );

  it.skipIf(noPostgres)(
    "on SIGTERM during a sweep, finishes it and exits 0",
    async () => {
      if (!database.url) throw new Error("needs PostgreSQL: set DATABASE_URL");
      const prefix = uniquePrefix();
      const [task] = await insertTasks(database, owner, [{ dueDate: new Date(Date.now() - 1000) }]);
      // Hold the tasks table so the sweep blocks inside its transaction.
      const holder = await (await import("@taskmgr/db")).createDb({ databaseUrl: database.url, poolSize: 1 });
      let release!: () => void;
      const held = holder.db.transaction(async (tx) => {
        await tx.execute(sql`lock table tasks in exclusive mode`);
        await new Promise<void>((r) => {
          release = r;
        });
      });
      await sleep(100);
      const worker = spawnWorker({
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        OVERDUE_SWEEP_INTERVAL_SECONDS: "1",
      });
      try {
        await waitFor(async () => /worker started/.test(worker.output()), 60_000, "worker start");
        // A scheduled sweep's batch is now waiting on the lock, inside its transaction.
        await waitFor(
          async () =>
            rowsOf<{ n: number }>(
              await database.db.execute(
                sql`select count(*)::int as n from pg_stat_activity
                  where datname = current_database() and wait_event_type = 'Lock'`,
              ),
            )[0]!.n > 0,
          60_000,
          "a sweep waiting on the lock",
        );
        worker.child.kill("SIGTERM");
        await sleep(500);
        release();
        await held;
        expect(await worker.exited).toBe(0);
        expect(worker.output()).toMatch(/"markedOverdue":1/);
        expect(worker.output()).toMatch(/worker stopped/);
        expect(await statusOf(database, task!.id)).toBe("OVERDUE");
      } finally {
        release?.();
        await holder.close();
        worker.child.kill("SIGKILL");
      }
    },
    120_000,
  );
});

describe.skipIf(skipWithoutRedis)("a Redis that goes away and comes back", () => {
  it("the worker reconnects and the schedule resumes without a restart", async () => {
    requireRedis();
    const port = 16_379 + Math.floor(Math.random() * 1000);
    const startRedis = () =>
      spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        {
          stdio: "ignore",
        },
      );
    let redis = startRedis();
    const database = await createTestDb();
    const owner = await makeOwner(database);
    await sleep(300);
    const sweeper = await startSweeper({
      database,
      logger: silentLogger(),
      redisUrl: `redis://127.0.0.1:${port}`,
      intervalSeconds: 1,
      runSweepsHere: true,
      batchSize: 5000,
      queuePrefix: uniquePrefix(),
    });
    try {
      const [before] = await insertTasks(database, owner, [{ dueDate: new Date(Date.now() - 1000) }]);
      await waitFor(
        async () => (await statusOf(database, before!.id)) === "OVERDUE",
        8000,
        "a sweep before the outage",
      );

      redis.kill("SIGKILL");
      await sleep(2000);
      const [during] = await insertTasks(database, owner, [{ dueDate: new Date(Date.now() - 1000) }]);
      redis = startRedis(); // empty: no persistence, so the schedule itself must be restored
      await waitFor(
        async () => (await statusOf(database, during!.id)) === "OVERDUE",
        15_000,
        "a sweep after Redis returned",
      );
    } finally {
      await sweeper.stop(2000);
      redis.kill("SIGKILL");
      await database.close();
    }
  }, 40_000);
});

describe("the embedded default (no Redis)", () => {
  it("sweeps on an in-process timer", async () => {
    const database = await createTestDb("pglite");
    const owner = await makeOwner(database);
    const sweeper = await startSweeper({
      database,
      logger: silentLogger(),
      intervalSeconds: 0.3,
      runSweepsHere: true,
      batchSize: 5000,
    });
    try {
      const [task] = await insertTasks(database, owner, [{ dueDate: new Date(Date.now() + 200) }]);
      await waitFor(async () => (await statusOf(database, task!.id)) === "OVERDUE", 5000, "the timer sweep");
      expect(await sweeper.runNow()).toEqual({ markedOverdue: 0 });
    } finally {
      await sweeper.stop();
      await database.close();
    }
  });
});

it("redis-server is available for the outage test", () => {
  if (skipWithoutRedis) return;
  expect(execFileSync("redis-server", ["--version"]).toString()).toMatch(/Redis server/);
});

import { createDb, type Database } from "@taskmgr/db";
import { sweepOverdue } from "@taskmgr/db/task-store";
import { createTestDb, holdOutsideLock, skipWithoutPostgres, type TestDatabase } from "@taskmgr/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// PostgreSQL cancels a request's statement after DB_STATEMENT_TIMEOUT_MS (PGlite has no timer for it). A
// statement's time includes the time it waits for locks, which makes the cancellation easy to cause here.
describe.skipIf(skipWithoutPostgres())("the statement timeout", () => {
  let base: TestDatabase;
  let timed: Database;
  let h: Harness;
  beforeAll(async () => {
    base = await createTestDb("postgres");
    timed = await createDb({ databaseUrl: base.url!, poolSize: 4, statementTimeoutMs: 300 });
    h = await startHarness({
      database: { ...timed, url: base.url! },
      config: { DB_STATEMENT_TIMEOUT_MS: "300" },
    });
  });
  afterAll(async () => {
    await timed?.close();
    await base?.close();
  });

  it("cancels a statement that runs too long: 503 naming the timeout, and the task is unchanged", async () => {
    const task = await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "held" } });
    const lock = await holdOutsideLock(
      base.url!,
      (tx) => tx`select 1 from tasks where id = ${task.body.id} for update`,
    );
    try {
      const res = await h.rest("PATCH", `/api/tasks/${task.body.id}`, {
        token: h.admin.access,
        body: { title: "changed" },
      });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe("SERVICE_UNAVAILABLE");
      expect(res.body.message).toMatch(/statement timeout \(300 ms\)/);
      lock.release();
      await lock.done;
      const after = await h.rest("GET", `/api/tasks/${task.body.id}`, { token: h.admin.access });
      expect(after.body).toMatchObject({ title: "held", version: 1 });
    } finally {
      lock.release();
      await lock.done;
    }
  });

  it("does not apply to the overdue sweep, which lifts it for each of its batches", async () => {
    await base.db.execute(sql`
      insert into tasks (title, due_date, created_by_id)
      select 'due ' || i, now() - interval '1 day', ${h.admin.id}::uuid from generate_series(1, 100) i`);
    // A long statement on this pool is cancelled...
    await expect(timed.db.execute(sql`select pg_sleep(1)`)).rejects.toMatchObject({
      cause: { code: "57014" },
    });
    // ...but the sweep's is not, even when it must wait: the table is held from outside for longer than 300 ms.
    const lock = await holdOutsideLock(base.url!, (tx) => tx`lock table tasks in share mode`);
    const released = new Promise((r) => setTimeout(r, 800)).then(() => lock.release());
    try {
      const { markedOverdue } = await sweepOverdue(timed.db);
      expect(markedOverdue).toBe(100);
    } finally {
      lock.release();
      await released;
      await lock.done;
    }
  });
});

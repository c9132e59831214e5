import { activityLog, createDb, rowsOf, tasks } from "@taskmgr/db";
import { createTestDb, type TestDatabase, testBackends } from "@taskmgr/db/testing";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOverdueSweep } from "../src";
import { insertTasks, makeOwner } from "./support";

const DAY = 86_400_000;

describe.each(testBackends())("the overdue sweep on %s", (backend) => {
  let database: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    database = await createTestDb(backend);
    owner = await makeOwner(database);
  });
  afterAll(() => database?.close());

  it("marks exactly the past-due PENDING and IN_PROGRESS tasks, once each, with one entry each", async () => {
    const past = new Date(Date.now() - DAY);
    const future = new Date(Date.now() + DAY);
    const rows = await insertTasks(database, owner, [
      { status: "PENDING", dueDate: past, title: "late pending" },
      { status: "IN_PROGRESS", dueDate: past, title: "late in progress" },
      { status: "COMPLETED", dueDate: past, title: "done" },
      { status: "PENDING", dueDate: future, title: "not yet" },
      { status: "PENDING", dueDate: null, title: "no due date" },
    ]);
    const now = new Date();
    const first = await runOverdueSweep(database.db, now);
    expect(first.markedOverdue).toBe(2);

    const after = await database.db
      .select()
      .from(tasks)
      .where(
        inArray(
          tasks.id,
          rows.map((r) => r.id),
        ),
      );
    const byTitle = Object.fromEntries(after.map((t) => [t.title, t]));
    expect(byTitle["late pending"]).toMatchObject({ status: "OVERDUE", version: 2 });
    expect(byTitle["late pending"]!.updatedAt.getTime()).toBe(now.getTime());
    expect(byTitle["late in progress"]).toMatchObject({ status: "OVERDUE", version: 2 });
    expect(byTitle.done).toMatchObject({ status: "COMPLETED", version: 1 });
    expect(byTitle["not yet"]).toMatchObject({ status: "PENDING", version: 1 });
    expect(byTitle["no due date"]).toMatchObject({ status: "PENDING", version: 1 });

    const entries = await database.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, "MARKED_OVERDUE"));
    const mine = entries.filter((e) => rows.some((r) => r.id === e.taskId));
    expect(mine.map((e) => [e.taskId, e.oldValue, e.newValue, e.field, e.actorId]).sort()).toEqual(
      [
        [byTitle["late pending"]!.id, "PENDING", "OVERDUE", "status", null],
        [byTitle["late in progress"]!.id, "IN_PROGRESS", "OVERDUE", "status", null],
      ].sort(),
    );
    expect(mine.every((e) => e.createdAt.getTime() === now.getTime())).toBe(true);

    const second = await runOverdueSweep(database.db);
    expect(second.markedOverdue).toBe(0);
  });

  it("leaves the task write version alone when nothing is due, so cached counts stay valid", async () => {
    const version = async () =>
      rowsOf<{ v: string }>(
        await database.db.execute(sql`select sum(n)::text as v from task_write_versions`),
      )[0]!.v;
    await runOverdueSweep(database.db);
    const [task] = await insertTasks(database, owner, [
      { dueDate: new Date(Date.now() + DAY), title: "tomorrow" },
    ]);
    const idle = await version();
    expect((await runOverdueSweep(database.db)).markedOverdue).toBe(0);
    expect(await version()).toBe(idle);
    // the same task once it is past due: marked, and the version moves
    expect(
      (await runOverdueSweep(database.db, new Date(Date.now() + 2 * DAY))).markedOverdue,
    ).toBeGreaterThan(0);
    const [marked] = await database.db.select().from(tasks).where(eq(tasks.id, task!.id));
    expect(marked!.status).toBe("OVERDUE");
    expect(await version()).not.toBe(idle);
  });

  // On PostgreSQL two real connections race; PGlite has one connection, so there the two runs interleave.
  it("run twice at once, marks and logs each task once", async () => {
    const rows = await insertTasks(
      database,
      owner,
      Array.from({ length: 500 }, (_, i) => ({ dueDate: new Date(Date.now() - DAY - i * 1000) })),
    );
    const separate = backend === "postgres";
    const a = separate ? await createDb({ databaseUrl: database.url!, poolSize: 1 }) : database;
    const b = separate ? await createDb({ databaseUrl: database.url!, poolSize: 1 }) : database;
    try {
      const [ra, rb] = await Promise.all([runOverdueSweep(a.db), runOverdueSweep(b.db)]);
      expect(ra.markedOverdue + rb.markedOverdue).toBe(500);
      const entries = await database.db
        .select({ taskId: activityLog.taskId })
        .from(activityLog)
        .where(
          inArray(
            activityLog.taskId,
            rows.map((r) => r.id),
          ),
        );
      expect(entries).toHaveLength(500);
      expect(new Set(entries.map((e) => e.taskId)).size).toBe(500);
      const versions = await database.db
        .select({ v: tasks.version })
        .from(tasks)
        .where(
          inArray(
            tasks.id,
            rows.map((r) => r.id),
          ),
        );
      expect(versions.every((r) => r.v === 2)).toBe(true);
    } finally {
      if (separate) {
        await a.close();
        await b.close();
      }
    }
  });
});

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityLog, rowsOf, tasks, users } from "../src";
import { createTestDb, type TestDatabase, testBackends } from "../src/testing/test-db";

describe.each(testBackends())("schema on %s", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDb(backend);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function makeUser(username: string) {
    const [user] = await database.db
      .insert(users)
      .values({ username, passwordHash: "x", role: "ADMIN" })
      .returning();
    return user!;
  }

  it("rejects a username that differs only in case", async () => {
    await makeUser("Alice");
    await expect(makeUser("alice")).rejects.toThrow();
  });

  it("keeps a task's history when the task is deleted", async () => {
    const owner = await makeUser(`owner-${backend}`);
    const [task] = await database.db.insert(tasks).values({ title: "t", createdById: owner.id }).returning();
    await database.db.insert(activityLog).values({ taskId: task!.id, actorId: owner.id, action: "CREATED" });
    await database.db.delete(tasks).where(eq(tasks.id, task!.id));
    const left = await database.db.select().from(activityLog).where(eq(activityLog.taskId, task!.id));
    expect(left).toHaveLength(1);
  });

  const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const msOf = (id: string) => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);

  it.each(["tasks", "log entries"] as const)(
    "gives %s UUID v7 ids that carry their time and rise with it",
    async (what) => {
      const owner = await makeUser(`v7-${what.replace(" ", "-")}-${backend}`);
      const [task] = await database.db
        .insert(tasks)
        .values({ title: "t", createdById: owner.id })
        .returning();
      const before = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [row] =
          what === "tasks"
            ? await database.db
                .insert(tasks)
                .values({ title: `t${i}`, createdById: owner.id })
                .returning({ id: tasks.id })
            : await database.db
                .insert(activityLog)
                .values({ taskId: task!.id, actorId: owner.id, action: "UPDATED" })
                .returning({ id: activityLog.id });
        ids.push(row!.id);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const after = Date.now();
      for (const id of ids) {
        expect(id).toMatch(v7);
        expect(msOf(id)).toBeGreaterThanOrEqual(before - 1000);
        expect(msOf(id)).toBeLessThanOrEqual(after + 1000);
      }
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
    },
  );

  it("mints a v7 id for a given time", async () => {
    const at = "2021-06-01T12:34:56.789Z";
    const rows = rowsOf<{ a: string; b: string }>(
      await database.db.execute(
        sql`select uuid_v7(${at}::timestamptz) as a, uuid_v7(${at}::timestamptz) as b`,
      ),
    );
    const { a, b } = rows[0]!;
    expect(a).toMatch(v7);
    expect(msOf(a)).toBe(Date.parse(at));
    expect(msOf(b)).toBe(Date.parse(at));
    expect(a).not.toBe(b);
  });

  it("sorts priorities by rank, not alphabetically", async () => {
    const owner = await makeUser(`ranker-${backend}`);
    for (const priority of ["HIGH", "LOW", "MEDIUM"] as const) {
      await database.db.insert(tasks).values({ title: priority, priority, createdById: owner.id });
    }
    const rows = await database.db
      .select({ priority: tasks.priority })
      .from(tasks)
      .where(eq(tasks.createdById, owner.id))
      .orderBy(tasks.priority);
    expect(rows.map((r) => r.priority)).toEqual(["LOW", "MEDIUM", "HIGH"]);
  });

  it("has the partial index that serves the overdue sweep", async () => {
    const result = await database.db.execute(
      sql`select indexdef from pg_indexes where indexname = 'tasks_overdue_candidates_idx'`,
    );
    const [row] = rowsOf<{ indexdef: string }>(result);
    expect(row?.indexdef).toMatch(/WHERE .*status.*PENDING.*IN_PROGRESS/);
  });

  it("applies migrations idempotently", async () => {
    const { migrate } = await import("../src/migrate");
    await migrate(database);
    await migrate(database);
    const result = await database.db.execute(sql`select count(*)::int as n from users`);
    expect(rowsOf<{ n: number }>(result)[0]?.n).toBeGreaterThan(0);
  });
});

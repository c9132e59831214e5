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

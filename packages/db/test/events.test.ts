import { events, rowsOf, type TaskRow } from "@taskmgr/db";
import { insertTask, relayEvents, taskFromStored, updateTask } from "@taskmgr/db/task-store";
import {
  createTestDb,
  makeOwner,
  skipWithoutPostgres,
  type TestDatabase,
  testBackends,
} from "@taskmgr/db/testing";
import { asc, gt, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fields = (title: string) => ({
  title,
  description: "",
  status: "PENDING" as const,
  priority: "MEDIUM" as const,
  dueDate: null,
  assigneeId: null,
});

describe.each(testBackends())("events from the activity log (%s)", (backend) => {
  let database: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    database = await createTestDb(backend);
    owner = await makeOwner(database);
  });
  afterAll(() => database?.close());

  const numbered = async (after = 0) =>
    database.db.select().from(events).where(gt(events.position, after)).orderBy(asc(events.position));

  it("each entry is recorded with its change, with the task as the change left it, and numbered once", async () => {
    const task = await database.db.transaction((tx) => insertTask(tx, owner, fields("recorded"), new Date()));
    await database.db.transaction(async (tx) => {
      const now = new Date();
      await updateTask(
        tx,
        owner,
        task,
        { ...fields("renamed"), priority: "HIGH" },
        ["title", "priority"],
        now,
      );
    });
    expect(await relayEvents(database.db)).toBeGreaterThanOrEqual(3);
    expect(await relayEvents(database.db)).toBe(0);
    const ofTask = (await numbered()).filter((r) => (r.task as { id: string }).id === task.id);
    expect(ofTask).toHaveLength(3);
    const stored = (i: number) => taskFromStored(ofTask[i]!.task);
    expect(stored(0)).toMatchObject({ title: "recorded", version: 1, dueDate: null });
    expect(stored(2)).toMatchObject({ title: "renamed", priority: "HIGH", version: 2 });
    expect(stored(2).updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(stored(2).createdAt).toBe(stored(0).createdAt);
    const outbox = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from event_outbox`),
    );
    expect(outbox[0]!.n).toBe(0);
  });

  it("an entry whose change rolls back is never an event", async () => {
    const [{ n: before }] = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from events`),
    ) as [{ n: number }];
    await database.db
      .transaction(async (tx) => {
        await insertTask(tx, owner, fields("rolled back"), new Date());
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await relayEvents(database.db);
    const [{ n: after }] = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from events`),
    ) as [{ n: number }];
    expect(after).toBe(before);
  });

  it("the sweep's entries are events too, one per task, with the task marked", async () => {
    const due: TaskRow = await database.db.transaction((tx) =>
      insertTask(tx, owner, { ...fields("due"), dueDate: new Date(Date.now() - 86_400_000) }, new Date()),
    );
    await relayEvents(database.db);
    const start = (await numbered()).at(-1)!.position;
    const { sweepOverdue } = await import("@taskmgr/db/task-store");
    await sweepOverdue(database.db);
    await relayEvents(database.db);
    const swept = (await numbered(start)).filter((r) => (r.task as { id: string }).id === due.id);
    expect(swept).toHaveLength(1);
    expect(taskFromStored(swept[0]!.task)).toMatchObject({ status: "OVERDUE", version: 2 });
  });
});

// Two transactions at once need a server with several connections: PGlite runs one transaction at a time.
describe.skipIf(skipWithoutPostgres())("events under concurrent commits (postgres)", () => {
  let database: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    database = await createTestDb("postgres");
    owner = await makeOwner(database);
  });
  afterAll(() => database?.close());

  const numbered = async (after = 0) =>
    database.db.select().from(events).where(gt(events.position, after)).orderBy(asc(events.position));

  it("a transaction that commits after a later one is numbered after it, so a reader past the later one still gets it", async () => {
    const task = await database.db.transaction((tx) => insertTask(tx, owner, fields("race"), new Date()));
    await relayEvents(database.db);
    const start = (await numbered()).at(-1)!.position;
    let releaseFirst!: () => void;
    const held = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstWrote!: () => void;
    const wrote = new Promise<void>((r) => {
      firstWrote = r;
    });
    // The first transaction writes its entry (the smaller log seq) and stays open.
    const first = database.db.transaction(async (tx) => {
      await insertTask(tx, owner, fields("started first, commits last"), new Date());
      firstWrote();
      await held;
    });
    await wrote;
    // The second starts later, writes, and commits first.
    await database.db.transaction((tx) =>
      insertTask(tx, owner, fields("started last, commits first"), new Date()),
    );
    await relayEvents(database.db);
    const seen = await numbered(start);
    expect(seen.map((r) => (r.task as { title: string }).title)).toEqual(["started last, commits first"]);
    const readerAt = seen.at(-1)!.position;
    releaseFirst();
    await first;
    await relayEvents(database.db);
    const next = await numbered(readerAt);
    expect(next.map((r) => (r.task as { title: string }).title)).toEqual(["started first, commits last"]);
    expect(task.id).toBeTruthy();
  });
});

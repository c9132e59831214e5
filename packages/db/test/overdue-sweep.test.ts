import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { activityLog, createDb, type Database, rowsOf, tasks } from "@taskmgr/db";
import { sweepOverdue } from "@taskmgr/db/task-store";
import {
  createTestDb,
  holdOutsideLock,
  insertTasks,
  makeOwner,
  skipWithoutPostgres,
  type TestDatabase,
  testBackends,
} from "@taskmgr/db/testing";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `n` tasks due a day ago and more (PENDING and IN_PROGRESS alternately). */
function backlog(database: Pick<Database, "db">, owner: string, n: number) {
  return insertTasks(
    database,
    owner,
    Array.from({ length: n }, (_, i) => ({
      status: i % 2 ? "IN_PROGRESS" : "PENDING",
      dueDate: new Date(Date.now() - DAY - i * 1000),
    })),
  );
}

/** Each task of `ids`: its status and the MARKED_OVERDUE entries written for it, with their transactions. */
async function outcome(database: Pick<Database, "db">, ids: string[]) {
  const rows = rowsOf<{
    id: string;
    status: string;
    xmin: string;
    entries: number;
    entry_xmins: string[] | null;
  }>(
    await database.db.execute(sql`
      select t.id, t.status, t.xmin::text as xmin,
        (select count(*)::int from activity_log l where l.task_id = t.id and l.action = 'MARKED_OVERDUE') as entries,
        (select array_agg(distinct l.xmin::text) from activity_log l
          where l.task_id = t.id and l.action = 'MARKED_OVERDUE') as entry_xmins
      from tasks t where t.id in (select unnest(${`{${ids.join(",")}}`}::uuid[]))`),
  );
  return rows;
}

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
    const first = await sweepOverdue(database.db, { now });
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

    const second = await sweepOverdue(database.db);
    expect(second.markedOverdue).toBe(0);
  });

  it("leaves the task write version alone when nothing is due, so cached counts stay valid", async () => {
    const version = async () =>
      rowsOf<{ v: string }>(
        await database.db.execute(sql`select sum(n)::text as v from task_write_versions`),
      )[0]!.v;
    await sweepOverdue(database.db);
    const [task] = await insertTasks(database, owner, [
      { dueDate: new Date(Date.now() + DAY), title: "tomorrow" },
    ]);
    const idle = await version();
    expect((await sweepOverdue(database.db)).markedOverdue).toBe(0);
    expect(await version()).toBe(idle);
    // the same task once it is past due: marked, and the version moves
    expect(
      (await sweepOverdue(database.db, { now: new Date(Date.now() + 2 * DAY) })).markedOverdue,
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
      // Small batches, so that the two runs' batches interleave and meet each other's locks.
      const [ra, rb] = await Promise.all([
        sweepOverdue(a.db, { batchSize: 37 }),
        sweepOverdue(b.db, { batchSize: 37 }),
      ]);
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
  it("works in batches of at most batchSize tasks, each one transaction holding its tasks and their entries", async () => {
    const rows = await backlog(database, owner, 230);
    const batches: number[] = [];
    const result = await sweepOverdue(database.db, {
      batchSize: 50,
      afterBatch: (n) => {
        batches.push(n);
      },
    });
    expect(result.markedOverdue).toBe(230);
    expect(batches).toEqual([50, 50, 50, 50, 30]);
    const after = await outcome(
      database,
      rows.map((r) => r.id),
    );
    expect(after).toHaveLength(230);
    // A row's xmin is the transaction that wrote it: tasks per transaction are the batches.
    const perTransaction = new Map<string, number>();
    for (const r of after) perTransaction.set(r.xmin, (perTransaction.get(r.xmin) ?? 0) + 1);
    expect([...perTransaction.values()].sort((a, b) => b - a)).toEqual([50, 50, 50, 50, 30]);
    for (const r of after) {
      expect(r).toMatchObject({ status: "OVERDUE", entries: 1, entry_xmins: [r.xmin] });
    }
  });

  it("stops after the batch in progress once its signal is aborted; the rest stays due for the next run", async () => {
    const ids = (await backlog(database, owner, 100)).map((r) => r.id);
    const stop = new AbortController();
    const first = await sweepOverdue(database.db, {
      batchSize: 30,
      afterBatch: () => stop.abort(),
      signal: stop.signal,
    });
    expect(first.markedOverdue).toBe(30);
    const after = await outcome(database, ids);
    expect(after.filter((r) => r.status === "OVERDUE" && r.entries === 1)).toHaveLength(30);
    expect(after.filter((r) => r.status !== "OVERDUE" && r.entries === 0)).toHaveLength(70);
    expect((await sweepOverdue(database.db)).markedOverdue).toBe(70);
  });

  it("holds no task between batches: a writer waits for one batch at most", async () => {
    const ids = (await backlog(database, owner, 120)).map((r) => r.id);
    const probe =
      backend === "postgres" ? await createDb({ databaseUrl: database.url!, poolSize: 1 }) : database;
    let probes = 0;
    try {
      await sweepOverdue(database.db, {
        batchSize: 40,
        // Between two batches every task of the backlog, marked or still due, can be locked at once.
        afterBatch: async () => {
          await probe.db.transaction(async (tx) => {
            const locked = await tx.execute(
              sql`select id from tasks where id in (select unnest(${`{${ids.join(",")}}`}::uuid[])) for update nowait`,
            );
            expect(rowsOf(locked)).toHaveLength(120);
          });
          probes++;
        },
      });
      expect(probes).toBeGreaterThanOrEqual(3);
    } finally {
      if (probe !== database) await probe.close();
    }
  });
});

// Another connection holds rows, and a process dies mid-batch: PostgreSQL only (PGlite has one connection).
describe.skipIf(skipWithoutPostgres())("the overdue sweep beside other connections", () => {
  let database: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    database = await createTestDb("postgres");
    owner = await makeOwner(database);
  });
  afterAll(() => database?.close());

  it("skips a task another transaction holds; a later run marks it", async () => {
    const ids = (await backlog(database, owner, 10)).map((r) => r.id);
    const held = ids[3]!;
    const lock = await holdOutsideLock(
      database.url!,
      (tx) => tx`select 1 from tasks where id = ${held} for update`,
    );
    try {
      expect((await sweepOverdue(database.db, { batchSize: 4 })).markedOverdue).toBe(9);
      const before = await outcome(database, [held]);
      expect(before[0]).toMatchObject({ status: "IN_PROGRESS", entries: 0 });
    } finally {
      lock.release();
      await lock.done;
    }
    expect((await sweepOverdue(database.db, { batchSize: 4 })).markedOverdue).toBe(1);
    for (const r of await outcome(database, ids)) expect(r).toMatchObject({ status: "OVERDUE", entries: 1 });
  });

  it("killed mid-batch, leaves each task marked with its entry or untouched; the next run marks the rest", async () => {
    const ids = (await backlog(database, owner, 200)).map((r) => r.id);
    const dbDir = resolve(import.meta.dirname, "..");
    // node itself, with tsx as a loader: the tsx command is a wrapper whose SIGKILL leaves its node running.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@taskmgr/source", "test/fixtures/sweep-process.ts"],
      {
        cwd: dbDir,
        env: { ...process.env, DATABASE_URL: database.url!, BATCH_SIZE: "50" },
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    let out = "";
    const seen = (text: string) =>
      new Promise<void>((res, rej) => {
        const check = () => {
          if (out.includes(text)) res();
        };
        child.stdout!.on("data", (d) => {
          out += d;
          check();
        });
        child.on("exit", (code) =>
          rej(new Error(`the sweep process exited (${code}) before "${text}": ${out}`)),
        );
        check();
      });
    let lock: Awaited<ReturnType<typeof holdOutsideLock>> | undefined;
    try {
      await seen("batch 50");
      // The second batch will mark its tasks, then wait for the log's lock before writing their entries.
      lock = await holdOutsideLock(database.url!, (tx) => tx`lock table activity_log in exclusive mode`);
      child.stdin!.write("next\n");
      let waiting: number | undefined;
      while (waiting === undefined) {
        const [row] = rowsOf<{ pid: number }>(
          await database.db.execute(sql`select pid from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query like '%activity_log%'`),
        );
        waiting = row?.pid;
        if (waiting === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      child.kill("SIGKILL");
      await exited;
      lock.release();
      await lock.done;
      lock = undefined;
      // The killed process's backend finds its client gone and rolls its batch back.
      for (;;) {
        const [row] = rowsOf<{ n: number }>(
          await database.db.execute(
            sql`select count(*)::int as n from pg_stat_activity where pid = ${waiting}`,
          ),
        );
        if (row!.n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      lock?.release();
      await lock?.done;
      child.kill("SIGKILL");
      await exited;
    }
    const after = await outcome(database, ids);
    const marked = after.filter((r) => r.status === "OVERDUE");
    expect(marked).toHaveLength(50);
    for (const r of marked) expect(r.entries).toBe(1);
    for (const r of after.filter((r) => r.status !== "OVERDUE")) {
      expect(r.entries).toBe(0);
      expect(["PENDING", "IN_PROGRESS"]).toContain(r.status);
    }
    expect((await sweepOverdue(database.db)).markedOverdue).toBe(150);
    for (const r of await outcome(database, ids)) expect(r).toMatchObject({ status: "OVERDUE", entries: 1 });
  });
});

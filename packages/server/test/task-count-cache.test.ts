import { rowsOf } from "@taskmgr/db";
import { createTestDb, type TestDatabase, testBackends } from "@taskmgr/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Runtime, startServices } from "../src/start-services";
import { testConfig, testLogger } from "./support/config";
import { type Harness, startHarness } from "./support/harness";

const MAX_ROWS = 25;

async function cacheRows(database: TestDatabase, where = sql`true`): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await database.db.execute(sql`select count(*)::int as n from task_count_cache where ${where}`),
  );
  return row!.n;
}

const stale = sql`version < (select sum(n) from task_write_versions)`;

// Every distinct filter is a row of task_count_cache: a client sending endless distinct filters must not grow it
// past TASK_COUNT_CACHE_MAX_ROWS, and the counts must stay exact while it is full.
describe.each(testBackends())("the task count cache, on %s", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      database: await createTestDb(backend),
      config: { TASK_COUNT_CACHE_MAX_ROWS: String(MAX_ROWS) },
    });
    // Due on 2030-01-01 … 2030-01-30 at noon, one a day.
    for (let day = 1; day <= 30; day++) {
      const dueDate = `2030-01-${String(day).padStart(2, "0")}T12:00:00.000Z`;
      await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: `task ${day}`, dueDate } });
    }
  });
  afterAll(() => h?.close());

  const count = async (query: string) => {
    const res = await h.rest("GET", `/api/tasks?pageSize=1&${query}`, { token: h.admin.access });
    expect(res.status).toBe(200);
    return res.body.count as number;
  };

  it("never holds more rows than its bound, however many distinct filters come, at once or not", async () => {
    let done = false;
    let most = 0;
    const watch = (async () => {
      while (!done) most = Math.max(most, await cacheRows(h.database));
    })();
    // Filter j: due before noon and (1 + j / 30) ms of day 1 + j % 30, which that day's task and those before
    // it are; every j is a filter of its own.
    const dueBefore = (j: number) => {
      const day = 1 + (j % 30);
      const ms = String(1 + Math.floor(j / 30)).padStart(3, "0");
      return { day, query: `dueBefore=2030-01-${String(day).padStart(2, "0")}T12:00:00.${ms}Z` };
    };
    for (let batch = 0; batch < 12; batch++) {
      const filters = Array.from({ length: 10 }, (_, k) => dueBefore(batch * 10 + k));
      const answers = await Promise.all(filters.map((f) => count(f.query)));
      expect(answers).toEqual(filters.map((f) => f.day));
    }
    done = true;
    await watch;
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(MAX_ROWS);
    expect(await cacheRows(h.database)).toBeLessThanOrEqual(MAX_ROWS);
  });

  it("when full, still caches a new filter's count by letting an entry go", async () => {
    for (let i = 0; i < MAX_ROWS + 5; i++) await count(`search=nothing-${i}`);
    expect(await cacheRows(h.database)).toBe(MAX_ROWS);
    const high = await count("priority=MEDIUM&status=PENDING");
    // Poison every entry: an answer of high + 1000 proves the new filter's count was cached.
    await h.database.db.execute(sql`update task_count_cache set n = n + 1000`);
    expect(await count("priority=MEDIUM&status=PENDING")).toBe(high + 1000);
    await h.database.db.execute(sql`delete from task_count_cache`);
  });

  it("when full of entries that can no longer be served, drops them all before adding one", async () => {
    for (let i = 0; i < MAX_ROWS; i++) await count(`search=again-${i}`);
    expect(await cacheRows(h.database)).toBe(MAX_ROWS);
    await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "a write" } });
    expect(await cacheRows(h.database, stale)).toBe(MAX_ROWS);
    expect(await count("")).toBe(31);
    expect(await cacheRows(h.database)).toBe(1);
  });
});

describe.each(testBackends())("the scheduled count cache purge, on %s", (backend) => {
  let database: TestDatabase;
  let runtime: Runtime | null = null;
  beforeAll(async () => {
    database = await createTestDb(backend);
  });
  afterAll(async () => {
    await runtime?.stop();
    await database?.close();
  });

  const until = async (check: () => Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };

  it("drops the rows counted before the latest write while the server runs, and stops with it", async () => {
    runtime = await startServices({
      config: testConfig({
        TASK_COUNT_CACHE_PURGE_INTERVAL_SECONDS: "0.2",
        ADMIN_PASSWORD: "admin-password-1",
      }),
      database,
      logger: testLogger(),
    });
    expect(runtime).not.toBeNull();
    // A statement on tasks moves the write version even when it changes no row.
    await database.db.execute(sql`update tasks set title = title`);
    await database.db.execute(sql`
      insert into task_count_cache (key, version, n)
      select 'old-' || g, (select sum(n) from task_write_versions) - 1, 7 from generate_series(1, 50) g
      union all select 'current', (select sum(n) from task_write_versions), 7`);
    expect(await cacheRows(database, stale)).toBe(50);

    expect(await until(async () => (await cacheRows(database, stale)) === 0, 5000)).toBe(true);
    expect(await cacheRows(database, sql`key = 'current'`)).toBe(1);

    await runtime!.stop();
    runtime = null;
    await database.db.execute(sql`
      insert into task_count_cache (key, version, n)
      values ('after-stop', (select sum(n) from task_write_versions) - 1, 7)`);
    await new Promise((r) => setTimeout(r, 800));
    expect(await cacheRows(database, sql`key = 'after-stop'`)).toBe(1);
  });
});

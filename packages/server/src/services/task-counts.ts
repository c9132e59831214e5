import { createHash, randomBytes } from "node:crypto";
import { ADVISORY_LOCKS, type Database, rowsOf, tasks } from "@taskmgr/db";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

const currentVersion = sql`(select sum(n)::bigint from task_write_versions)`;
const dialect = new PgDialect();

export type TaskCounts = ReturnType<typeof createTaskCounts>;

export interface TaskCountsOptions {
  /** Rows task_count_cache may hold, whatever number of distinct filters clients send. */
  maxRows: number;
}

/**
 * Exact task counts without a scan per request. A count is cached with the task write version it was taken
 * at (count and version read in one statement, so one snapshot); it is served only while that version is
 * still current, and every committed task write moves the version in its own transaction (a trigger). So a
 * cached count is never stale with respect to a committed write, and every server replica shares the cache.
 *
 * Every distinct filter is a row, so rows are added under one advisory lock, on every replica, and only while
 * fewer than maxRows are there: a full table first drops the rows counted at older versions, which can never be
 * served again, then one row picked at random. A caller that finds the lock taken leaves its count uncached
 * rather than wait: caching is an optimisation, the count it returns is exact either way.
 */
export function createTaskCounts(database: Database, options: TaskCountsOptions) {
  const { db } = database;
  const { maxRows } = options;

  async function remember(digest: string, version: string, n: string): Promise<void> {
    const row = sql`select ${digest}, ${version}::bigint, ${n}::bigint`;
    const onConflict = sql`
      on conflict (key) do update set version = excluded.version, n = excluded.n
      where task_count_cache.version < excluded.version`;
    await db.transaction(async (tx) => {
      const [lock] = rowsOf<{ ok: boolean }>(
        await tx.execute(sql`select pg_try_advisory_xact_lock(${ADVISORY_LOCKS.countCacheInsert}) as ok`),
      );
      if (!lock?.ok) return;
      // A statement of its own, after the lock: its snapshot sees every row the previous holder committed.
      const [state] = rowsOf<{ room: boolean }>(
        await tx.execute(sql`
          with state as (
            select count(*) < ${maxRows} or coalesce(bool_or(key = ${digest}), false) as room
            from task_count_cache
          ),
          saved as (
            insert into task_count_cache (key, version, n) ${row} from state where state.room ${onConflict}
          )
          select room from state`),
      );
      if (state?.room) return;
      const [purged] = rowsOf<{ n: number }>(
        await tx.execute(sql`
          with gone as (delete from task_count_cache where version < ${currentVersion} returning 1)
          select count(*)::int as n from gone`),
      );
      if (!purged?.n) {
        const from = randomBytes(32).toString("base64url");
        await tx.execute(sql`
          delete from task_count_cache where key = coalesce(
            (select key from task_count_cache where key >= ${from} order by key limit 1),
            (select min(key) from task_count_cache))`);
      }
      await tx.execute(sql`insert into task_count_cache (key, version, n) ${row} ${onConflict}`);
    });
  }

  return {
    /**
     * The number of tasks `where` selects (visibility scope and filters). The cache key is the WHERE clause's
     * own SQL and parameters, so a release that changes what a filter means cannot be served an old count.
     */
    async count(where: SQL | undefined): Promise<number> {
      const clause = where ? dialect.sqlToQuery(where) : { sql: "", params: [] };
      const digest = createHash("sha256").update(JSON.stringify(clause)).digest("base64url");
      const [hit] = rowsOf<{ n: string | number | null }>(
        await db.execute(
          sql`select c.n from task_count_cache c where c.key = ${digest} and c.version = ${currentVersion}`,
        ),
      );
      if (hit?.n != null) return Number(hit.n);
      const filter = where ? sql`where ${where}` : sql``;
      const [counted] = rowsOf<{ version: string | number | bigint; n: string | number | bigint }>(
        await db.execute(
          sql`select ${currentVersion} as version, (select count(*)::bigint from ${tasks} ${filter}) as n`,
        ),
      );
      await remember(digest, String(counted!.version), String(counted!.n));
      return Number(counted!.n);
    },

    /** Drops the rows counted at an older version than the current one: none of them can be served again. */
    async purgeStale(): Promise<number> {
      const [purged] = rowsOf<{ n: number }>(
        await db.execute(sql`
          with gone as (delete from task_count_cache where version < ${currentVersion} returning 1)
          select count(*)::int as n from gone`),
      );
      return purged?.n ?? 0;
    },
  };
}

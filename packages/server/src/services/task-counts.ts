import { createHash } from "node:crypto";
import { type Database, rowsOf, tasks } from "@taskmgr/db";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

const currentVersion = sql`(select sum(n)::bigint from task_write_versions)`;
const dialect = new PgDialect();

export type TaskCounts = ReturnType<typeof createTaskCounts>;

/**
 * Exact task counts without a scan per request. A count is cached with the task write version it was taken
 * at (count and version read in one statement, so one snapshot); it is served only while that version is
 * still current, and every committed task write moves the version in its own transaction (a trigger). So a
 * cached count is never stale with respect to a committed write, and every server replica shares the cache.
 */
export function createTaskCounts(database: Database) {
  const { db } = database;

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
      const [counted] = rowsOf<{ n: string | number }>(
        await db.execute(sql`
          with v as (select ${currentVersion} as version),
          c as (select count(*)::bigint as n from ${tasks} ${filter}),
          saved as (
            insert into task_count_cache (key, version, n)
            select ${digest}, v.version, c.n from v, c
            on conflict (key) do update set version = excluded.version, n = excluded.n
            where task_count_cache.version < excluded.version
          )
          select n from c`),
      );
      // Entries counted at an older version can never be served again: now and then, drop them.
      if (Math.random() < 0.01) {
        await db.execute(sql`delete from task_count_cache where version < ${currentVersion}`);
      }
      return Number(counted!.n);
    },
  };
}

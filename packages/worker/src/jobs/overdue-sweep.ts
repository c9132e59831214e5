import { type Executor, rowsOf } from "@taskmgr/db";
import { sql } from "drizzle-orm";

export interface SweepResult {
  markedOverdue: number;
}

/**
 * Marks every PENDING or IN_PROGRESS task due before `now` as OVERDUE, bumping its version once and writing
 * one MARKED_OVERDUE entry for it, in one statement (so one transaction) with no per-row round trips.
 *
 * Safe to run twice or on two workers at once: rows another sweep (or a user's PATCH) holds are skipped this
 * round, and a row already marked no longer matches. A user's concurrent change is never overwritten: the
 * UPDATE acts only on rows it locked while they were still eligible.
 *
 * Rows are marked in id order. Each new row version needs an entry in every index of tasks, and each log
 * entry one in every index of the log; in id order the primary key, the status, priority and updated_at
 * indexes (all keyed by their value, then id) and the log's task index take theirs page after page instead
 * of at random. Task ids are UUID v7, so id order is also creation order: the heap and the created_at,
 * assignee and creator indexes are reached in order too (measured in docs/benchmarks.md, "The sweep").
 */
export function runOverdueSweep(db: Executor, now: Date = new Date()): Promise<SweepResult> {
  // A backlog is marked in one statement, which may run longer than a server's statement timeout allows a
  // request (the embedded worker shares the server's pool): the sweep's transaction lifts it.
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    return sweep(tx, now);
  });
}

async function sweep(db: Executor, now: Date): Promise<SweepResult> {
  // Passed as text: postgres.js does not serialise a Date inside a raw sql template.
  const at = sql`${now.toISOString()}::timestamptz`;
  const eligible = sql`due_date < ${at} and status in ('PENDING', 'IN_PROGRESS')`;
  // An UPDATE that matches nothing still fires the statement trigger that moves the task write version, which
  // would throw away every cached count each period; the partial candidates index answers this at once.
  const due = await db.execute(sql`select exists (select 1 from tasks where ${eligible}) as due`);
  if (!rowsOf<{ due: boolean }>(due)[0]?.due) return { markedOverdue: 0 };
  const result = await db.execute(sql`
    with candidates as (
      select id, status from tasks
      where ${eligible}
      order by id
      for update skip locked
    ),
    marked as (
      update tasks t
      set status = 'OVERDUE', version = t.version + 1, updated_at = ${at}
      from candidates c
      where t.id = c.id
      returning t.id, c.status as old_status
    ),
    logged as (
      insert into activity_log (task_id, actor_id, action, field, old_value, new_value, created_at)
      select id, null, 'MARKED_OVERDUE', 'status', to_jsonb(old_status::text), '"OVERDUE"'::jsonb, ${at}
      from marked
      returning 1
    )
    select count(*)::int as n from logged
  `);
  return { markedOverdue: rowsOf<{ n: number }>(result)[0]?.n ?? 0 };
}

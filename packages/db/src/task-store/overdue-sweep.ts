import { sql } from "drizzle-orm";
import { type Executor, rowsOf, type Tx } from "../client";
import { activityLog, tasks } from "../schema";
import { insertLogEntries } from "./log";

export interface SweepResult {
  markedOverdue: number;
}

export interface SweepOptions {
  /** The moment tasks are due against (default: when the sweep starts); every batch marks them with it. */
  now?: Date;
  /** Tasks per transaction (OVERDUE_SWEEP_BATCH_SIZE; default DEFAULT_SWEEP_BATCH_SIZE). */
  batchSize?: number;
  /** Called after each batch commits, with the tasks it marked. */
  afterBatch?: (marked: number) => void | Promise<void>;
  /** Once aborted, the run stops after the batch in progress (a worker shutting down); the rest stays due. */
  signal?: AbortSignal;
}

/** The default of OVERDUE_SWEEP_BATCH_SIZE (API.md, Overdue sweep). */
export const DEFAULT_SWEEP_BATCH_SIZE = 5000;

const t = {
  table: tasks,
  id: sql.identifier(tasks.id.name),
  status: sql.identifier(tasks.status.name),
  dueDate: sql.identifier(tasks.dueDate.name),
  version: sql.identifier(tasks.version.name),
  updatedAt: sql.identifier(tasks.updatedAt.name),
};
const open = sql`(${sql.join(
  (["PENDING", "IN_PROGRESS"] as const).map((s) => sql`${s}::${sql.raw(tasks.status.getSQLType())}`),
  sql`, `,
)})`;

/**
 * Marks every PENDING or IN_PROGRESS task due before `now` as OVERDUE, bumping its version once and writing
 * one MARKED_OVERDUE entry for it, in batches of at most `batchSize` tasks, each one transaction with its
 * entries: no task stays locked longer than one batch, whatever the backlog.
 *
 * Safe to run twice or on two workers at once: rows another transaction (a sweep or a user's PATCH) holds are
 * skipped and caught by a later run, and a row already marked no longer matches when it is locked. A user's
 * concurrent change is never overwritten: a batch updates only rows it locked while they were still due.
 *
 * Batches walk the tasks in id order from where the last one ended, so each row is read once per sweep
 * (restarting from the first id would read the marked rows again, batch after batch). In id order the new row
 * versions' index entries and the entries' own land page after page instead of at random (task and entry ids
 * are UUID v7: id order is creation order); docs/benchmarks.md, "The sweep".
 */
export async function sweepOverdue(db: Executor, options: SweepOptions = {}): Promise<SweepResult> {
  const at = options.now ?? new Date();
  const limit = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_SWEEP_BATCH_SIZE));
  // An UPDATE that matches nothing still fires the statement trigger that moves the task write version, which
  // would throw away every cached count each period; the partial candidates index answers this at once.
  if (!(await anythingDue(db, at))) return { markedOverdue: 0 };
  let after: string | null = null;
  let markedOverdue = 0;
  for (;;) {
    const batch = await db.transaction((tx) => markBatch(tx, at, limit, after));
    markedOverdue += batch.marked;
    await options.afterBatch?.(batch.marked);
    if (batch.last === null || options.signal?.aborted) return { markedOverdue };
    after = batch.last;
  }
}

async function anythingDue(db: Executor, at: Date): Promise<boolean> {
  const due = await db.execute(
    sql`select exists (select 1 from ${t.table} where ${t.dueDate} < ${at.toISOString()}::timestamptz
      and ${t.status} in ${open}) as due`,
  );
  return rowsOf<{ due: boolean }>(due)[0]?.due ?? false;
}

/**
 * One batch: locks up to `limit` due tasks after id `after`, marks them, writes their entries. `last` is the
 * highest id it locked, or null when it found fewer than `limit` (nothing after it is due).
 */
async function markBatch(
  tx: Tx,
  at: Date,
  limit: number,
  after: string | null,
): Promise<{ marked: number; last: string | null }> {
  // A batch is bounded, but may still outlast a request's statement timeout on a slow disk: the embedded
  // worker shares the server's pool, so the batch lifts it for its own transaction.
  await tx.execute(sql`set local statement_timeout = 0`);
  // Passed as text: postgres.js does not serialise a Date inside a raw sql template.
  const when = sql`${at.toISOString()}::timestamptz`;
  const result = await tx.execute(sql`
    with candidates as (
      select ${t.id}, ${t.status} from ${t.table}
      where ${t.dueDate} < ${when} and ${t.status} in ${open}
        ${after === null ? sql`` : sql`and ${t.id} > ${after}::uuid`}
      order by ${t.id}
      limit ${limit}
      for update skip locked
    ),
    marked as (
      update ${t.table} as task
      set ${t.status} = 'OVERDUE', ${t.version} = task.${t.version} + 1, ${t.updatedAt} = ${when}
      from candidates
      where task.${t.id} = candidates.${t.id}
      returning task.${t.id} as id, candidates.${t.status} as old_status
    ),
    logged as (
      ${insertLogEntries({
        from: sql`marked`,
        select: {
          taskId: sql`marked.id`,
          actorId: sql`null::uuid`,
          action: sql`'MARKED_OVERDUE'`,
          field: sql`'status'`,
          oldValue: sql`to_jsonb(marked.old_status::text)`,
          newValue: sql`'"OVERDUE"'::jsonb`,
          createdAt: when,
        },
      })}
      returning ${sql.identifier(activityLog.taskId.name)} as id
    )
    select count(*)::int as marked, max(id::text) as last from logged
  `);
  // Ids compare as text as they do as uuid: lowercase hex of the same length.
  const { marked, last } = rowsOf<{ marked: number; last: string | null }>(result)[0]!;
  return { marked, last: marked < limit ? null : last };
}

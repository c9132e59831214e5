import { and, asc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type TaskRow, tasks } from "../schema";
import { toTask } from "./dto";
import { insertLogEntries, type NewLogEntry } from "./log";

/** The fields a caller sets on a task; the rest (id, creator, times, version) are the store's. */
export type TaskFields = Pick<
  TaskRow,
  "title" | "description" | "status" | "priority" | "dueDate" | "assigneeId"
>;
export type TaskField = keyof TaskFields;

/** One task's change: the row as locked, what it becomes, and the fields that differ. */
export interface TaskChange {
  current: TaskRow;
  next: TaskFields;
  changed: readonly TaskField[];
}

/** A field's value as the log keeps it: JSON, dates as ISO strings. */
function logValue(v: TaskFields[TaskField]): string | null {
  return v instanceof Date ? v.toISOString() : v;
}

/** The task, locked until the transaction ends: concurrent writers of one task take turns. */
export async function lockTask(tx: Tx, id: string): Promise<TaskRow | undefined> {
  const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for("update");
  return row;
}

/**
 * The tasks matching `where`, locked, in id order: two bulk changes over overlapping tasks take their locks in
 * the same order and queue instead of deadlocking. At most `limit` rows.
 */
export function lockTasks(tx: Tx, where: SQL | undefined, limit: number): Promise<TaskRow[]> {
  return tx.select().from(tasks).where(where).orderBy(asc(tasks.id)).limit(limit).for("update");
}

export const byIds = (ids: readonly string[]) => inArray(tasks.id, [...ids]);

/** Inserts a task and its CREATED entry. */
export async function insertTask(tx: Tx, actorId: string, fields: TaskFields, now: Date): Promise<TaskRow> {
  const [row] = await tx
    .insert(tasks)
    .values({
      ...fields,
      createdById: actorId,
      createdAt: now,
      updatedAt: now,
      completedAt: fields.status === "COMPLETED" ? now : null,
    })
    .returning();
  await tx.execute(
    insertLogEntries([
      { taskId: row!.id, actorId, action: "CREATED", newValue: toTask(row!), createdAt: now },
    ]),
  );
  return row!;
}

// The columns a change writes, read from one JSON document: one statement for one task or a thousand, and one
// prepared text whatever their number.
const CHANGE_COLUMNS = [
  tasks.id,
  tasks.version,
  tasks.title,
  tasks.description,
  tasks.status,
  tasks.priority,
  tasks.dueDate,
  tasks.assigneeId,
  tasks.completedAt,
] as const;
const changeDefinitions = sql.raw(CHANGE_COLUMNS.map((c) => `"${c.name}" ${c.getSQLType()}`).join(", "));
const changed = (column: (typeof CHANGE_COLUMNS)[number]) => sql`change.${sql.identifier(column.name)}`;

/**
 * Writes each change's `next` over its `current` (read locked), with one UPDATED entry per changed field, and
 * moves each version by one; all in one UPDATE and one INSERT of entries. Returns the rows written; a row no
 * longer at its `current` version is not written (callers hold the row locks, so that means a bug upstream).
 */
export async function updateTasks(
  tx: Tx,
  actorId: string,
  changes: readonly TaskChange[],
  now: Date,
): Promise<TaskRow[]> {
  if (changes.length === 0) return [];
  const document = changes.map(({ current, next }) => ({
    id: current.id,
    version: current.version,
    ...next,
    dueDate: next.dueDate?.toISOString() ?? null,
    completedAt: next.status === "COMPLETED" ? (current.completedAt ?? now).toISOString() : null,
  }));
  const rows = await tx
    .update(tasks)
    .set({
      title: changed(tasks.title),
      description: changed(tasks.description),
      status: changed(tasks.status),
      priority: changed(tasks.priority),
      dueDate: changed(tasks.dueDate),
      assigneeId: changed(tasks.assigneeId),
      completedAt: changed(tasks.completedAt),
      updatedAt: now,
      version: sql`${tasks.version} + 1`,
    })
    .from(
      sql`jsonb_to_recordset(${JSON.stringify(
        document.map((d) => ({
          id: d.id,
          version: d.version,
          title: d.title,
          description: d.description,
          status: d.status,
          priority: d.priority,
          due_date: d.dueDate,
          assignee_id: d.assigneeId,
          completed_at: d.completedAt,
        })),
      )}::jsonb) as change(${changeDefinitions})`,
    )
    .where(and(eq(tasks.id, changed(tasks.id)), eq(tasks.version, changed(tasks.version))))
    .returning(getTableColumns(tasks));
  const written = new Set(rows.map((r) => r.id));
  const entries: NewLogEntry[] = changes
    .filter(({ current }) => written.has(current.id))
    .flatMap(({ current, next, changed: fields }) =>
      fields.map((field) => ({
        taskId: current.id,
        actorId,
        action: "UPDATED" as const,
        field,
        oldValue: logValue(current[field]),
        newValue: logValue(next[field]),
        createdAt: now,
      })),
    );
  if (entries.length > 0) await tx.execute(insertLogEntries(entries));
  return rows;
}

/** One task's change (updateTasks); undefined when the row is no longer at `current`'s version. */
export async function updateTask(
  tx: Tx,
  actorId: string,
  current: TaskRow,
  next: TaskFields,
  fields: readonly TaskField[],
  now: Date,
): Promise<TaskRow | undefined> {
  const [row] = await updateTasks(tx, actorId, [{ current, next, changed: fields }], now);
  return row;
}

/** Deletes tasks (read by lockTask or lockTasks) and writes a DELETED entry for each, keeping it as it was. */
export async function deleteTasks(
  tx: Tx,
  actorId: string,
  rows: readonly TaskRow[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.delete(tasks).where(byIds(rows.map((r) => r.id)));
  await tx.execute(
    insertLogEntries(
      rows.map((row) => ({
        taskId: row.id,
        actorId,
        action: "DELETED",
        oldValue: toTask(row),
        createdAt: now,
      })),
    ),
  );
}

export const deleteTask = (tx: Tx, actorId: string, row: TaskRow, now: Date) =>
  deleteTasks(tx, actorId, [row], now);

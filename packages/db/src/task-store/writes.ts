import { and, eq } from "drizzle-orm";
import type { Tx } from "../client";
import { type TaskRow, tasks } from "../schema";
import { toTask } from "./dto";
import { insertLogEntries } from "./log";

/** The fields a caller sets on a task; the rest (id, creator, times, version) are the store's. */
export type TaskFields = Pick<
  TaskRow,
  "title" | "description" | "status" | "priority" | "dueDate" | "assigneeId"
>;
export type TaskField = keyof TaskFields;

/** A field's value as the log keeps it: JSON, dates as ISO strings. */
function logValue(v: TaskFields[TaskField]): string | null {
  return v instanceof Date ? v.toISOString() : v;
}

/** The task, locked until the transaction ends: concurrent writers of one task take turns. */
export async function lockTask(tx: Tx, id: string): Promise<TaskRow | undefined> {
  const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for("update");
  return row;
}

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

/**
 * Writes `next` over `current` (read by lockTask) with one UPDATED entry per changed field, and moves the
 * version. Undefined when the row is no longer at `current`'s version.
 */
export async function updateTask(
  tx: Tx,
  actorId: string,
  current: TaskRow,
  next: TaskFields,
  changed: readonly TaskField[],
  now: Date,
): Promise<TaskRow | undefined> {
  const completedAt = next.status === "COMPLETED" ? (current.completedAt ?? now) : null;
  const [updated] = await tx
    .update(tasks)
    .set({ ...next, completedAt, updatedAt: now, version: current.version + 1 })
    .where(and(eq(tasks.id, current.id), eq(tasks.version, current.version)))
    .returning();
  if (!updated) return undefined;
  await tx.execute(
    insertLogEntries(
      changed.map((field) => ({
        taskId: current.id,
        actorId,
        action: "UPDATED" as const,
        field,
        oldValue: logValue(current[field]),
        newValue: logValue(next[field]),
        createdAt: now,
      })),
    ),
  );
  return updated;
}

/** Deletes a task (read by lockTask) and writes its DELETED entry, which keeps the task as it was. */
export async function deleteTask(tx: Tx, actorId: string, row: TaskRow, now: Date): Promise<void> {
  await tx.delete(tasks).where(eq(tasks.id, row.id));
  await tx.execute(
    insertLogEntries([{ taskId: row.id, actorId, action: "DELETED", oldValue: toTask(row), createdAt: now }]),
  );
}

import type { LogEntry, Task } from "../contracts";
import type { ActivityLogRow, TaskRow } from "../schema";

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    dueDate: row.dueDate?.toISOString() ?? null,
    assigneeId: row.assigneeId,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    version: row.version,
  };
}

export function toLogEntry(row: ActivityLogRow): LogEntry {
  return {
    id: row.id,
    taskId: row.taskId,
    actorId: row.actorId,
    action: row.action,
    field: row.field,
    oldValue: (row.oldValue ?? null) as LogEntry["oldValue"],
    newValue: (row.newValue ?? null) as LogEntry["newValue"],
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * An event's task as stored (task-store/events.ts): a Task already (a create's or a delete's log value), or the row
 * as PostgreSQL's to_jsonb wrote it (snake_case keys, timestamps with an offset), put in the contract's shape.
 */
export function taskFromStored(value: unknown): Task {
  const v = value as Record<string, unknown>;
  if ("createdById" in v) return v as unknown as Task;
  const iso = (t: unknown) => (t === null || t === undefined ? null : new Date(t as string).toISOString());
  return {
    id: v.id as string,
    title: v.title as string,
    description: v.description as string,
    status: v.status as Task["status"],
    priority: v.priority as Task["priority"],
    dueDate: iso(v.due_date),
    assigneeId: (v.assignee_id as string | null) ?? null,
    createdById: v.created_by_id as string,
    createdAt: iso(v.created_at)!,
    updatedAt: iso(v.updated_at)!,
    completedAt: iso(v.completed_at),
    version: v.version as number,
  };
}

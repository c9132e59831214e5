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

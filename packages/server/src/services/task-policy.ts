import { type TaskRow, tasks } from "@taskmgr/db";
import type { TaskField } from "@taskmgr/db/task-store";
import { eq, or, type SQL } from "drizzle-orm";
import { forbidden, notFound } from "../errors";
import type { AuthUser } from "./actor";

// The task rows of API.md's role matrix, in one place. Route-level rules (delete, sweep) are procedure builders.

/** SQL limiting tasks to those the user may see; undefined for an admin (everything). */
export function visibleTasks(user: AuthUser): SQL | undefined {
  if (user.role === "ADMIN") return undefined;
  return or(eq(tasks.assigneeId, user.id), eq(tasks.createdById, user.id));
}

export function canSee(user: AuthUser, task: Pick<TaskRow, "assigneeId" | "createdById">): boolean {
  return user.role === "ADMIN" || task.assigneeId === user.id || task.createdById === user.id;
}

/** A task the caller may not see does not exist, as far as they can tell. */
export function assertVisible<T extends Pick<TaskRow, "assigneeId" | "createdById">>(
  user: AuthUser,
  task: T | undefined,
): T {
  if (!task || !canSee(user, task)) throw notFound("Task");
  return task;
}

/** Interns create tasks for themselves only; no assignee means themselves. */
export function assigneeForCreate(user: AuthUser, requested: string | null | undefined): string | null {
  if (user.role === "ADMIN") return requested ?? null;
  if (requested && requested !== user.id)
    throw forbidden("Interns may only create tasks assigned to themselves");
  return user.id;
}

const DETAIL_FIELDS: ReadonlySet<TaskField> = new Set(["title", "description", "priority", "dueDate"]);

/** Checks the fields an update would actually change against the caller's rights on this (visible) task. */
export function assertMayChange(user: AuthUser, task: TaskRow, changed: readonly TaskField[]): void {
  if (user.role === "ADMIN") return;
  for (const field of changed) {
    if (field === "assigneeId") throw forbidden("Interns may not change a task's assignee");
    if (DETAIL_FIELDS.has(field) && task.createdById !== user.id) {
      throw forbidden(`Interns may only change ${field} on tasks they created`);
    }
  }
}

import { type Database, type Tx, users } from "@taskmgr/db";
import type { Task, TaskCreateInput, TaskUpdateInput } from "@taskmgr/db/contracts";
import {
  deleteTask,
  insertTask,
  lockTask,
  type TaskField,
  type TaskFields,
  toTask,
  updateTask,
} from "@taskmgr/db/task-store";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { fieldError, notFound } from "../errors";
import type { AuthUser } from "./actor";
import { assertMayChange, assertVisible, assigneeForCreate } from "./task-policy";

const UPDATABLE: readonly TaskField[] = [
  "title",
  "description",
  "status",
  "priority",
  "dueDate",
  "assigneeId",
];

function same(a: TaskFields[TaskField], b: TaskFields[TaskField]): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

async function assertAssignable(tx: Tx, assigneeId: string | null): Promise<void> {
  if (!assigneeId) return;
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, assigneeId), eq(users.isActive, true)));
  if (!user) throw fieldError("assigneeId", "no active user has this id");
}

/**
 * The task service's writes: the caller's rights and the contract's rules here, the rows and their log
 * entries through @taskmgr/db/task-store, each change in one transaction.
 */
export function createTaskWrites(database: Database) {
  const { db } = database;

  return {
    create(actor: AuthUser, input: TaskCreateInput): Promise<Task> {
      const assigneeId = assigneeForCreate(actor, input.assigneeId);
      return db.transaction(async (tx) => {
        await assertAssignable(tx, assigneeId);
        const row = await insertTask(
          tx,
          actor.id,
          {
            title: input.title,
            description: input.description,
            status: input.status,
            priority: input.priority,
            dueDate: input.dueDate ?? null,
            assigneeId,
          },
          new Date(),
        );
        return toTask(row);
      });
    },

    update(actor: AuthUser, input: TaskUpdateInput): Promise<Task> {
      return db.transaction(async (tx) => {
        // The row lock serialises concurrent updates of one task: none loses another's change or entries.
        const current = assertVisible(actor, await lockTask(tx, input.id));
        if (input.version !== undefined && input.version !== current.version) {
          throw new TRPCError({
            code: "CONFLICT",
            message: `version: the task is at version ${current.version}, not ${input.version}; reload and retry`,
          });
        }
        const now = new Date();
        const next: TaskFields = {
          title: input.title ?? current.title,
          description: input.description ?? current.description,
          status: input.status ?? current.status,
          priority: input.priority ?? current.priority,
          dueDate: input.dueDate === undefined ? current.dueDate : input.dueDate,
          assigneeId: input.assigneeId === undefined ? current.assigneeId : input.assigneeId,
        };
        const changed = UPDATABLE.filter((f) => !same(next[f], current[f]));
        // An OVERDUE task whose due date moves to the future (or away) is pending again, in the same change.
        const dueNoLongerPast = next.dueDate === null || next.dueDate.getTime() > now.getTime();
        if (
          current.status === "OVERDUE" &&
          input.status === undefined &&
          changed.includes("dueDate") &&
          dueNoLongerPast
        ) {
          next.status = "PENDING";
          changed.push("status");
        }
        assertMayChange(actor, current, changed);
        if (changed.length === 0) return toTask(current);
        if (changed.includes("assigneeId")) await assertAssignable(tx, next.assigneeId);

        const updated = await updateTask(tx, actor.id, current, next, changed, now);
        if (!updated)
          throw new TRPCError({ code: "CONFLICT", message: "version: the task changed meanwhile; retry" });
        return toTask(updated);
      });
    },

    delete(actor: AuthUser, id: string): Promise<void> {
      return db.transaction(async (tx) => {
        const row = await lockTask(tx, id);
        if (!row) throw notFound("Task");
        await deleteTask(tx, actor.id, row, new Date());
      });
    },
  };
}

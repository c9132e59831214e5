import { activityLog, type Database, type TaskRow, type Tx, tasks, users } from "@taskmgr/db";
import type { Task, TaskCreateInput, TaskUpdateInput } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { notFound } from "../errors";
import type { AuthUser } from "./actor";
import { toTask } from "./task-dto";
import { assertMayChange, assertVisible, assigneeForCreate, type TaskField } from "./task-policy";

const UPDATABLE: readonly TaskField[] = [
  "title",
  "description",
  "status",
  "priority",
  "dueDate",
  "assigneeId",
];

type FieldValue = string | Date | null;

function same(a: FieldValue, b: FieldValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/** How a field's value is written into the log: JSON, dates as ISO strings. */
function logValue(v: FieldValue): string | null {
  return v instanceof Date ? v.toISOString() : v;
}

async function assertAssignable(tx: Tx, assigneeId: string | null): Promise<void> {
  if (!assigneeId) return;
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, assigneeId), eq(users.isActive, true)));
  if (!user) throw new TRPCError({ code: "BAD_REQUEST", message: "assigneeId: no active user has this id" });
}

export type TaskWrites = ReturnType<typeof createTaskWrites>;

/** Every write to a task, each with its activity-log entries in the same transaction. */
export function createTaskWrites(database: Database) {
  const { db } = database;

  return {
    create(actor: AuthUser, input: TaskCreateInput): Promise<Task> {
      const assigneeId = assigneeForCreate(actor, input.assigneeId);
      return db.transaction(async (tx) => {
        await assertAssignable(tx, assigneeId);
        const now = new Date();
        const [row] = await tx
          .insert(tasks)
          .values({
            title: input.title,
            description: input.description,
            status: input.status,
            priority: input.priority,
            dueDate: input.dueDate ?? null,
            assigneeId,
            createdById: actor.id,
            createdAt: now,
            updatedAt: now,
            completedAt: input.status === "COMPLETED" ? now : null,
          })
          .returning();
        const task = toTask(row!);
        await tx
          .insert(activityLog)
          .values({ taskId: task.id, actorId: actor.id, action: "CREATED", newValue: task, createdAt: now });
        return task;
      });
    },

    update(actor: AuthUser, input: TaskUpdateInput): Promise<Task> {
      return db.transaction(async (tx) => {
        // The row lock serialises concurrent updates of one task: none loses another's change or entries.
        const [row] = await tx.select().from(tasks).where(eq(tasks.id, input.id)).for("update");
        const current = assertVisible(actor, row);
        if (input.version !== undefined && input.version !== current.version) {
          throw new TRPCError({
            code: "CONFLICT",
            message: `version: the task is at version ${current.version}, not ${input.version}; reload and retry`,
          });
        }
        const now = new Date();
        const next: Pick<TaskRow, TaskField> = {
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

        const completedAt = next.status === "COMPLETED" ? (current.completedAt ?? now) : null;
        const [updated] = await tx
          .update(tasks)
          .set({ ...next, completedAt, updatedAt: now, version: current.version + 1 })
          .where(and(eq(tasks.id, current.id), eq(tasks.version, current.version)))
          .returning();
        if (!updated)
          throw new TRPCError({ code: "CONFLICT", message: "version: the task changed meanwhile; retry" });
        await tx.insert(activityLog).values(
          changed.map((field) => ({
            taskId: current.id,
            actorId: actor.id,
            action: "UPDATED" as const,
            field,
            oldValue: logValue(current[field]),
            newValue: logValue(next[field]),
            createdAt: now,
          })),
        );
        return toTask(updated);
      });
    },

    delete(actor: AuthUser, id: string): Promise<void> {
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for("update");
        if (!row) throw notFound("Task");
        await tx.delete(tasks).where(eq(tasks.id, id));
        await tx.insert(activityLog).values({
          taskId: id,
          actorId: actor.id,
          action: "DELETED",
          oldValue: toTask(row),
          createdAt: new Date(),
        });
      });
    },
  };
}

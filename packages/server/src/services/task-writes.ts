import { type Database, type TaskRow, type Tx, tasks, users } from "@taskmgr/db";
import {
  BULK_MAX_IDS,
  type Task,
  type TaskBulkChanges,
  type TaskBulkDeleteInput,
  type TaskCreateInput,
  type TaskFilter,
  type TaskUpdateInput,
} from "@taskmgr/db/contracts";
import {
  byIds,
  deleteTask,
  deleteTasks,
  insertTask,
  lockTask,
  lockTasks,
  type TaskChange,
  type TaskField,
  type TaskFields,
  toTask,
  updateTask,
  updateTasks,
} from "@taskmgr/db/task-store";
import { TRPCError } from "@trpc/server";
import { and, count, eq } from "drizzle-orm";
import { fieldError, forbidden, notFound } from "../errors";
import type { AuthUser } from "./actor";
import { assertMayChange, assertVisible, assigneeForCreate, canSee } from "./task-policy";
import { taskListWhere } from "./task-queries";
import { inTransaction } from "./transactions";

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

/** How many tasks match, counting no further than `limit`. */
async function countUpTo(tx: Tx, where: ReturnType<typeof taskListWhere>, limit: number): Promise<number> {
  const matching = tx.select({ one: tasks.id }).from(tasks).where(where).limit(limit).as("matching");
  const [row] = await tx.select({ n: count() }).from(matching);
  return row?.n ?? 0;
}

async function assertAssignable(tx: Tx, assigneeId: string | null): Promise<void> {
  if (!assigneeId) return;
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, assigneeId), eq(users.isActive, true)));
  if (!user) throw fieldError("assigneeId", "no active user has this id");
}

type Changes = Partial<Pick<TaskUpdateInput, TaskField>>;

/**
 * What a change makes of a task: every field it names, and the contract's rule that an OVERDUE task whose due
 * date moves to the future (or away) is pending again, in the same change. `changed` lists what really differs.
 */
function planChange(current: TaskRow, input: Changes, now: Date): Omit<TaskChange, "current"> {
  const next: TaskFields = {
    title: input.title ?? current.title,
    description: input.description ?? current.description,
    status: input.status ?? current.status,
    priority: input.priority ?? current.priority,
    dueDate: input.dueDate === undefined ? current.dueDate : input.dueDate,
    assigneeId: input.assigneeId === undefined ? current.assigneeId : input.assigneeId,
  };
  const changed = UPDATABLE.filter((f) => !same(next[f], current[f]));
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
  return { next, changed };
}

/** A bulk change's tasks: named by id, or by a filter. */
type BulkTarget = Pick<TaskBulkDeleteInput, "ids" | "filter" | "confirmCount">;

/**
 * The task service's writes: the caller's rights and the contract's rules here, the rows and their log
 * entries through @taskmgr/db/task-store, each change in one transaction.
 */
export function createTaskWrites(
  database: Database,
  limits: { maxTasks: number },
  /** Told after every committed change (the event hub looks for its events at once). */
  onCommitted: () => void = () => {},
) {
  /** A change's transaction; once it has committed, onCommitted hears of it. */
  const change = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const result = await inTransaction(database, work);
    onCommitted();
    return result;
  };

  /**
   * The tasks a bulk change acts on, locked in id order. Every id must name a task the caller can see (404
   * naming those that do not); a filter sees only the caller's tasks, and one matching more than BULK_MAX_IDS
   * needs confirmCount equal to what it matches, so that a typo cannot change everything.
   */
  async function bulkTargets(tx: Tx, actor: AuthUser, target: BulkTarget): Promise<TaskRow[]> {
    if (target.ids) {
      const rows = await lockTasks(tx, byIds(target.ids), target.ids.length);
      const seen = new Set(rows.filter((r) => canSee(actor, r)).map((r) => r.id));
      const missing = target.ids.filter((id) => !seen.has(id.toLowerCase()));
      if (missing.length > 0) {
        throw new TRPCError({
          code: "NOT_FOUND",
          message: `Tasks not found: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ` and ${missing.length - 10} more` : ""}`,
        });
      }
      return rows;
    }
    const where = taskListWhere(actor, target.filter as TaskFilter);
    const matched = await countUpTo(tx, where, limits.maxTasks + 1);
    if (matched > limits.maxTasks) {
      throw fieldError(
        "filter",
        `matches more than ${limits.maxTasks} tasks, the most one bulk change may touch; narrow it`,
      );
    }
    if (target.confirmCount !== undefined ? target.confirmCount !== matched : matched > BULK_MAX_IDS) {
      throw fieldError(
        "confirmCount",
        `the filter matches ${matched} tasks${target.confirmCount === undefined ? `, more than ${BULK_MAX_IDS}` : ""}: send confirmCount: ${matched} to act on all of them`,
      );
    }
    const rows = await lockTasks(tx, where, limits.maxTasks + 1);
    // Tasks created or changed between the count and the lock: what is acted on must be what was confirmed.
    if (target.confirmCount !== undefined && rows.length !== target.confirmCount) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `The filter now matches ${rows.length} tasks, not ${target.confirmCount}; check and send again`,
      });
    }
    return rows;
  }

  return {
    create(actor: AuthUser, input: TaskCreateInput): Promise<Task> {
      const assigneeId = assigneeForCreate(actor, input.assigneeId);
      return change(async (tx) => {
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
      return change(async (tx) => {
        // The row lock serialises concurrent updates of one task: none loses another's change or entries.
        const current = assertVisible(actor, await lockTask(tx, input.id));
        if (input.version !== undefined && input.version !== current.version) {
          throw new TRPCError({
            code: "CONFLICT",
            message: `version: the task is at version ${current.version}, not ${input.version}; reload and retry`,
          });
        }
        const now = new Date();
        const { next, changed } = planChange(current, input, now);
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
      return change(async (tx) => {
        const row = await lockTask(tx, id);
        if (!row) throw notFound("Task");
        await deleteTask(tx, actor.id, row, new Date());
      });
    },

    /**
     * One set of changes to many tasks, all or nothing: the role matrix is applied to every task (one the caller
     * may not change refuses the whole request, naming it), and each task gets the entries a single update of it
     * would write. Answers the tasks that changed.
     */
    bulkUpdate(actor: AuthUser, input: BulkTarget & { set: TaskBulkChanges }) {
      return change(async (tx) => {
        const rows = await bulkTargets(tx, actor, input);
        const now = new Date();
        const changes: TaskChange[] = [];
        for (const current of rows) {
          const plan = planChange(current, input.set, now);
          try {
            assertMayChange(actor, current, plan.changed);
          } catch (err) {
            throw forbidden(`Task ${current.id}: ${(err as Error).message}; nothing was changed`);
          }
          if (plan.changed.length > 0) changes.push({ current, ...plan });
        }
        if (changes.some((c) => c.changed.includes("assigneeId"))) {
          await assertAssignable(tx, input.set.assigneeId ?? null);
        }
        const written = await updateTasks(tx, actor.id, changes, now);
        if (written.length !== changes.length) {
          throw new TRPCError({ code: "CONFLICT", message: "Tasks changed meanwhile; retry" });
        }
        return { updated: changes.length, ids: changes.map((c) => c.current.id) };
      });
    },

    /** Deletes many tasks, all or nothing, each with its DELETED entry. */
    bulkDelete(actor: AuthUser, input: BulkTarget) {
      return change(async (tx) => {
        const rows = await bulkTargets(tx, actor, input);
        await deleteTasks(tx, actor.id, rows, new Date());
        return { deleted: rows.length, ids: rows.map((r) => r.id) };
      });
    },
  };
}

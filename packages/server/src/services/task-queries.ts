import { activityLog, type Database, tasks } from "@taskmgr/db";
import type {
  LogEntry,
  LogListQuery,
  OrderKey,
  Page,
  Task,
  TaskListQuery,
  TaskOrderField,
} from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { and, asc, count, desc, eq, gt, gte, ilike, inArray, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { notFound } from "../errors";
import type { AuthUser } from "../trpc";
import { containsPattern, pageRequest, toPage } from "./paging";
import { toLogEntry, toTask } from "./task-dto";
import { assertVisible, visibleTasks } from "./task-policy";

const ORDER_COLUMNS = {
  dueDate: tasks.dueDate,
  priority: tasks.priority, // a PostgreSQL enum: sorts LOW < MEDIUM < HIGH by declaration
  status: tasks.status,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  title: tasks.title,
} as const;

/** ORDER BY for a task list: null due dates last either way, then id in the last key's direction. */
function taskOrder(keys: OrderKey<TaskOrderField>[]): SQL[] {
  const parts = keys.map(({ field, desc: descending }) => {
    const column = ORDER_COLUMNS[field];
    if (field === "dueDate")
      return descending ? sql`${column} desc nulls last` : sql`${column} asc nulls last`;
    return descending ? desc(column) : asc(column);
  });
  parts.push(keys.at(-1)?.desc ? desc(tasks.id) : asc(tasks.id));
  return parts;
}

function noCursorYet(cursor: string | undefined) {
  if (cursor) throw new TRPCError({ code: "BAD_REQUEST", message: "cursor: not a cursor this list issued" });
}

export type TaskQueries = ReturnType<typeof createTaskQueries>;

/** Reads of tasks and the activity log: filtered, sorted and paged in SQL, limited to what the caller may see. */
export function createTaskQueries(database: Database) {
  const { db } = database;

  async function pageOfLogs(
    where: SQL | undefined,
    query: { ordering?: OrderKey<"createdAt">[]; page?: number; pageSize: number },
  ) {
    const paging = pageRequest(query);
    const ascending = query.ordering?.[0]?.desc === false;
    const order = ascending
      ? [asc(activityLog.createdAt), asc(activityLog.seq)]
      : [desc(activityLog.createdAt), desc(activityLog.seq)];
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(activityLog)
        .where(where)
        .orderBy(...order)
        .limit(paging.pageSize)
        .offset(paging.offset),
      db.select({ n: count() }).from(activityLog).where(where),
    ]);
    return toPage(rows.map(toLogEntry), total?.n ?? 0, paging);
  }

  /** Log entries an intern may read: those of tasks they can see now. */
  function visibleLogs(user: AuthUser): SQL | undefined {
    const visible = visibleTasks(user);
    if (!visible) return undefined;
    return inArray(activityLog.taskId, db.select({ id: tasks.id }).from(tasks).where(visible));
  }

  return {
    async get(actor: AuthUser, id: string): Promise<Task> {
      const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
      return toTask(assertVisible(actor, row));
    },

    async list(actor: AuthUser, query: TaskListQuery): Promise<Page<Task>> {
      noCursorYet(query.cursor);
      const filters: (SQL | undefined)[] = [visibleTasks(actor)];
      if (query.status) filters.push(inArray(tasks.status, query.status));
      if (query.priority) filters.push(inArray(tasks.priority, query.priority));
      if (query.assigneeId) filters.push(eq(tasks.assigneeId, query.assigneeId));
      if (query.createdById) filters.push(eq(tasks.createdById, query.createdById));
      if (query.dueBefore) filters.push(lt(tasks.dueDate, query.dueBefore));
      if (query.dueAfter) filters.push(gt(tasks.dueDate, query.dueAfter));
      if (query.search) {
        const pattern = containsPattern(query.search);
        filters.push(or(ilike(tasks.title, pattern), ilike(tasks.description, pattern)));
      }
      const where = and(...filters);
      const paging = pageRequest(query);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(tasks)
          .where(where)
          .orderBy(...taskOrder(query.ordering))
          .limit(paging.pageSize)
          .offset(paging.offset),
        db.select({ n: count() }).from(tasks).where(where),
      ]);
      return toPage(rows.map(toTask), total?.n ?? 0, paging);
    },

    logs(actor: AuthUser, query: LogListQuery): Promise<Page<LogEntry>> {
      noCursorYet(query.cursor);
      const filters: (SQL | undefined)[] = [visibleLogs(actor)];
      if (query.taskId) filters.push(eq(activityLog.taskId, query.taskId));
      if (query.actorId) filters.push(eq(activityLog.actorId, query.actorId));
      if (query.action) filters.push(inArray(activityLog.action, query.action));
      if (query.field) filters.push(eq(activityLog.field, query.field));
      if (query.since) filters.push(gte(activityLog.createdAt, query.since));
      if (query.until) filters.push(lte(activityLog.createdAt, query.until));
      return pageOfLogs(and(...filters), query);
    },

    /** One task's history, newest first; an admin still reads it after the task is deleted. */
    async logsOf(actor: AuthUser, query: { id: string; page?: number; pageSize: number; cursor?: string }) {
      noCursorYet(query.cursor);
      const [task] = await db
        .select({ assigneeId: tasks.assigneeId, createdById: tasks.createdById })
        .from(tasks)
        .where(eq(tasks.id, query.id));
      if (task || actor.role !== "ADMIN") assertVisible(actor, task);
      const page = await pageOfLogs(eq(activityLog.taskId, query.id), query);
      if (!task && page.count === 0) throw notFound("Task");
      return page;
    },
  };
}

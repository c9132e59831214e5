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
import { toLogEntry, toTask } from "@taskmgr/db/task-store";
import { and, count, eq, gt, gte, inArray, lt, lte, type SQL, sql } from "drizzle-orm";
import { notFound } from "../errors";
import type { AuthUser } from "./actor";
import { type CursorCodec, keysetPage, pageRows, type SortKey } from "./keyset";
import type { TaskCounts } from "./task-counts";
import { assertVisible, visibleTasks } from "./task-policy";

const ORDER_COLUMNS = {
  dueDate: tasks.dueDate,
  priority: tasks.priority, // a PostgreSQL enum: sorts LOW < MEDIUM < HIGH by declaration
  status: tasks.status,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  title: tasks.title,
} as const;

type Groups = Pick<TaskListQuery, "status" | "priority">;

function fewValues(field: TaskOrderField, groups: Groups | undefined) {
  if (!groups || (field !== "status" && field !== "priority")) return undefined;
  const allowed: readonly string[] | undefined = groups[field];
  return ORDER_COLUMNS[field].enumValues.filter((v) => !allowed || allowed.includes(v));
}

/**
 * The sort keys of a task list: the requested fields, then id in the last one's direction. With `groups`, a
 * status or priority key lists its values (those the status and priority filters leave), so that a page led
 * by it is read a value at a time (keyset.ts seekParts).
 */
export function taskKeys(ordering: OrderKey<TaskOrderField>[], groups?: Groups): SortKey[] {
  const keys: SortKey[] = ordering.map(({ field, desc }) => ({
    field,
    column: ORDER_COLUMNS[field],
    desc,
    nullable: field === "dueDate",
    kind: field === "dueDate" || field === "createdAt" || field === "updatedAt" ? "date" : "value",
    values: fewValues(field, groups),
  }));
  keys.push({
    field: "id",
    column: tasks.id,
    desc: ordering.at(-1)?.desc ?? true,
    nullable: false,
    kind: "value",
  });
  return keys;
}

/**
 * The tasks a list selects: those the caller may see, narrowed by the query's filters.
 *
 * A search is a case-insensitive substring of title or description, matched as a literal regular expression
 * (`***=`: the whole term is taken literally) on the lower-cased texts. LIKE '%term%' backtracks, costing the
 * text's length times the term's on a hostile term; the regular expression engine reads each text once.
 * Trigram indexes would cost every write of a title or description and still match a text holding the term's
 * trigrams as slowly (docs/benchmarks.md, "Search").
 */
export function taskListWhere(
  actor: AuthUser,
  query: Pick<
    TaskListQuery,
    "status" | "priority" | "assigneeId" | "createdById" | "dueBefore" | "dueAfter" | "search"
  >,
): SQL | undefined {
  const filters: (SQL | undefined)[] = [visibleTasks(actor)];
  if (query.status) filters.push(inArray(tasks.status, query.status));
  if (query.priority) filters.push(inArray(tasks.priority, query.priority));
  if (query.assigneeId) filters.push(eq(tasks.assigneeId, query.assigneeId));
  if (query.createdById) filters.push(eq(tasks.createdById, query.createdById));
  if (query.dueBefore) filters.push(lt(tasks.dueDate, query.dueBefore));
  if (query.dueAfter) filters.push(gt(tasks.dueDate, query.dueAfter));
  if (query.search) {
    const literal = sql`('***=' || lower(${query.search}::text))`;
    filters.push(sql`(lower(${tasks.title}) ~ ${literal} or lower(${tasks.description}) ~ ${literal})`);
  }
  return and(...filters);
}

function logKeys(ordering: OrderKey<"createdAt">[] | undefined): SortKey[] {
  const descending = ordering?.[0]?.desc !== false;
  return [
    { field: "createdAt", column: activityLog.createdAt, desc: descending, nullable: false, kind: "date" },
    { field: "seq", column: activityLog.seq, desc: descending, nullable: false, kind: "value" },
  ];
}

/** Reads of tasks and the activity log: filtered, sorted and paged in SQL, limited to what the caller may see. */
export function createTaskQueries(database: Database, codec: CursorCodec, counts: TaskCounts) {
  const { db } = database;

  function pageOfLogs(
    where: SQL | undefined,
    query: { ordering?: OrderKey<"createdAt">[]; page?: number; pageSize: number; cursor?: string },
    identity: unknown,
  ) {
    const keys = logKeys(query.ordering);
    return keysetPage({
      codec,
      keys,
      query,
      identity: { list: "logs", identity, descending: keys[0]!.desc },
      rows: (seek, limit, offset, pageKeys) =>
        pageRows(db, activityLog, where, pageKeys, seek, limit, offset),
      count: async () => (await db.select({ n: count() }).from(activityLog).where(where))[0]?.n ?? 0,
      map: toLogEntry,
    });
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
      const where = taskListWhere(actor, query);
      const { page: _page, cursor: _cursor, pageSize: _size, ...shape } = query;
      // A value at a time only where each value's rows fill pages densely: a narrower list (an intern's, or one
      // filtered by person, date or text) may have no row of some value, and reading that part would walk the
      // whole index of the next field to find none; a sort of its fewer rows is the cheaper plan there.
      const { ordering: _ordering, status: _status, priority: _priority, ...narrowing } = shape;
      const dense = actor.role === "ADMIN" && Object.values(narrowing).every((v) => v === undefined);
      const keys = taskKeys(query.ordering, dense ? query : undefined);
      return keysetPage({
        codec,
        keys,
        query,
        identity: { list: "tasks", scope: actor.role === "ADMIN" ? "all" : actor.id, shape },
        rows: (seek, limit, offset, pageKeys) => pageRows(db, tasks, where, pageKeys, seek, limit, offset),
        count: () => counts.count(where),
        map: toTask,
      });
    },

    logs(actor: AuthUser, query: LogListQuery): Promise<Page<LogEntry>> {
      const filters: (SQL | undefined)[] = [visibleLogs(actor)];
      if (query.taskId) filters.push(eq(activityLog.taskId, query.taskId));
      if (query.actorId) filters.push(eq(activityLog.actorId, query.actorId));
      if (query.action) filters.push(inArray(activityLog.action, query.action));
      if (query.field) filters.push(eq(activityLog.field, query.field));
      if (query.since) filters.push(gte(activityLog.createdAt, query.since));
      if (query.until) filters.push(lte(activityLog.createdAt, query.until));
      const { page: _page, cursor: _cursor, pageSize: _size, ...shape } = query;
      return pageOfLogs(and(...filters), query, { scope: actor.role === "ADMIN" ? "all" : actor.id, shape });
    },

    /** One task's history, newest first; an admin still reads it after the task is deleted. */
    async logsOf(
      actor: AuthUser,
      query: {
        id: string;
        ordering?: OrderKey<"createdAt">[];
        page?: number;
        pageSize: number;
        cursor?: string;
      },
    ) {
      const [task] = await db
        .select({ assigneeId: tasks.assigneeId, createdById: tasks.createdById })
        .from(tasks)
        .where(eq(tasks.id, query.id));
      if (task || actor.role !== "ADMIN") assertVisible(actor, task);
      const page = await pageOfLogs(eq(activityLog.taskId, query.id), query, { task: query.id });
      if (!task && page.count === 0) throw notFound("Task");
      return page;
    },
  };
}

import { TASK_ORDER_FIELDS, TASK_PRIORITIES, TASK_STATUSES } from "@taskmgr/sdk";
import { z } from "zod";

/**
 * The tasks page's URL: every filter, the ordering and the page are search params, so a filtered, sorted list is
 * a link to share. A hand-edited value that makes no sense falls back to its default (`.catch`) instead of
 * breaking the page; the server checks what reaches it again.
 */
const orderKey = z.string().regex(new RegExp(`^-?(${TASK_ORDER_FIELDS.join("|")})$`));
const idParam = z.string().uuid();
const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const PAGE_SIZES = [10, 20, 50, 100] as const;

export const TaskSearch = z.object({
  status: z.array(z.enum(TASK_STATUSES)).optional().catch(undefined),
  priority: z.array(z.enum(TASK_PRIORITIES)).optional().catch(undefined),
  assigneeId: idParam.optional().catch(undefined),
  createdById: idParam.optional().catch(undefined),
  dueAfter: dateParam.optional().catch(undefined),
  dueBefore: dateParam.optional().catch(undefined),
  search: z.string().max(200).optional().catch(undefined),
  ordering: z.array(orderKey).optional().catch(undefined),
  pageSize: z
    .number()
    .int()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .optional()
    .catch(undefined),
  /** The cursor of the page shown and the ones before it: "previous" goes back through them. */
  cursors: z.array(z.string().max(2000)).max(500).optional().catch(undefined),
});
export type TaskSearch = z.infer<typeof TaskSearch>;

export const DEFAULT_PAGE_SIZE = 20;

/** The tasks.list input for the URL's search: only what is set, so the server's defaults apply otherwise. */
export function taskListInput(search: TaskSearch) {
  const cursor = search.cursors?.at(-1);
  return {
    ...(search.status?.length ? { status: search.status } : {}),
    ...(search.priority?.length ? { priority: search.priority } : {}),
    ...(search.assigneeId ? { assigneeId: search.assigneeId } : {}),
    ...(search.createdById ? { createdById: search.createdById } : {}),
    ...(search.dueAfter ? { dueAfter: search.dueAfter } : {}),
    ...(search.dueBefore ? { dueBefore: search.dueBefore } : {}),
    ...(search.search?.trim() ? { search: search.search.trim() } : {}),
    ...(search.ordering?.length ? { ordering: search.ordering.join(",") } : {}),
    pageSize: search.pageSize ?? DEFAULT_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  };
}

/** A change of filters or ordering starts again at the first page (a cursor belongs to one query). */
export function withFilters(search: TaskSearch, change: Partial<TaskSearch>): TaskSearch {
  const next: TaskSearch = { ...search, ...change };
  delete next.cursors;
  for (const key of Object.keys(next) as (keyof TaskSearch)[]) {
    const value = next[key];
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete next[key];
  }
  return next;
}

/**
 * The ordering after a click on a column's header: that column becomes the first key, ascending, or descending
 * when it was already first and ascending; the other keys stay behind it, so orderings combine.
 */
export function sortBy(ordering: readonly string[] | undefined, field: string): string[] {
  const current = ordering ?? [];
  const rest = current.filter((k) => k !== field && k !== `-${field}`);
  return [current[0] === field ? `-${field}` : field, ...rest];
}

export const LogSearch = z.object({
  taskId: idParam.optional().catch(undefined),
  actorId: idParam.optional().catch(undefined),
  action: z
    .array(z.enum(["CREATED", "UPDATED", "DELETED", "MARKED_OVERDUE"]))
    .optional()
    .catch(undefined),
  since: dateParam.optional().catch(undefined),
  until: dateParam.optional().catch(undefined),
  page: z.number().int().min(1).max(10_000).optional().catch(undefined),
});
export type LogSearch = z.infer<typeof LogSearch>;

export const UserSearch = z.object({
  search: z.string().max(150).optional().catch(undefined),
  page: z.number().int().min(1).max(10_000).optional().catch(undefined),
});
export type UserSearch = z.infer<typeof UserSearch>;

import { z } from "zod";
import { dateInput, enumList, Id, IsoDateTime, orderingParam, text } from "./common";
import { ClientTaskStatus, TASK_PRIORITIES, TASK_STATUSES, TaskPriority, TaskStatus } from "./enums";
import { listQuery, pageOf } from "./page";

export const Title = text().trim().min(1).max(200);
export const Description = text().max(10_000);

export const Task = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    status: TaskStatus,
    priority: TaskPriority,
    dueDate: IsoDateTime.nullable(),
    assigneeId: Id.nullable(),
    createdById: Id,
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    completedAt: IsoDateTime.nullable(),
    version: z.int(),
  })
  .meta({ id: "Task" });
export type Task = z.infer<typeof Task>;

export const TaskPage = pageOf(Task).meta({ id: "TaskPage" });

export const TaskCreateInput = z.strictObject({
  title: Title,
  description: Description.default(""),
  status: ClientTaskStatus.default("PENDING"),
  priority: TaskPriority.default("MEDIUM"),
  dueDate: dateInput("endOfDay").nullable().optional(),
  assigneeId: Id.nullable().optional(),
});
export type TaskCreateInput = z.infer<typeof TaskCreateInput>;

export const TaskUpdateBody = z.strictObject({
  title: Title.optional(),
  description: Description.optional(),
  status: ClientTaskStatus.optional(),
  priority: TaskPriority.optional(),
  dueDate: dateInput("endOfDay").nullable().optional(),
  assigneeId: Id.nullable().optional(),
  version: z
    .int()
    .min(1)
    .optional()
    .meta({ description: "compare-and-set: 409 unless the task is at this version" }),
});
export const TaskUpdateInput = TaskUpdateBody.extend({ id: Id });
export type TaskUpdateInput = z.infer<typeof TaskUpdateInput>;

export const TASK_ORDER_FIELDS = [
  "dueDate",
  "priority",
  "status",
  "createdAt",
  "updatedAt",
  "title",
] as const;
export type TaskOrderField = (typeof TASK_ORDER_FIELDS)[number];

/** What selects tasks: the list's filters, and a bulk change's. */
const taskFilters = {
  status: enumList(TASK_STATUSES).optional(),
  priority: enumList(TASK_PRIORITIES).optional(),
  assigneeId: Id.optional(),
  createdById: Id.optional(),
  dueBefore: dateInput("startOfDay").optional(),
  dueAfter: dateInput("endOfDay").optional(),
  search: text().max(200).optional(),
};

export const TaskListQuery = listQuery({
  ...taskFilters,
  ordering: orderingParam(TASK_ORDER_FIELDS, "-createdAt"),
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskFilter = z.strictObject(taskFilters).meta({ id: "TaskFilter" });
export type TaskFilter = z.infer<typeof TaskFilter>;

/** A bulk change names at most this many tasks by id; a filter matching more needs confirmCount. */
export const BULK_MAX_IDS = 1000;

const bulkTarget = {
  ids: z
    .array(Id)
    .min(1)
    .max(BULK_MAX_IDS)
    .refine((ids) => new Set(ids).size === ids.length, "names a task twice")
    .optional(),
  filter: TaskFilter.optional(),
  confirmCount: z
    .int()
    .min(0)
    .optional()
    .meta({
      description: `the number of tasks the filter matches: required when it matches more than ${BULK_MAX_IDS}`,
    }),
};

function oneTarget(input: { ids?: unknown; filter?: unknown; confirmCount?: unknown }, ctx: z.RefinementCtx) {
  if ((input.ids === undefined) === (input.filter === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["ids"],
      message: "send either ids or filter, not both nor neither",
    });
  }
  if (input.ids !== undefined && input.confirmCount !== undefined) {
    ctx.addIssue({ code: "custom", path: ["confirmCount"], message: "goes with filter, not ids" });
  }
}

export const TaskBulkChanges = z
  .strictObject({
    status: ClientTaskStatus.optional(),
    priority: TaskPriority.optional(),
    assigneeId: Id.nullable().optional(),
    dueDate: dateInput("endOfDay").nullable().optional(),
  })
  .refine((set) => Object.values(set).some((v) => v !== undefined), "names no change");
export type TaskBulkChanges = z.infer<typeof TaskBulkChanges>;

export const TaskBulkUpdateInput = z
  .strictObject({ ...bulkTarget, set: TaskBulkChanges })
  .superRefine(oneTarget);
export type TaskBulkUpdateInput = z.infer<typeof TaskBulkUpdateInput>;

export const TaskBulkDeleteInput = z.strictObject(bulkTarget).superRefine(oneTarget);
export type TaskBulkDeleteInput = z.infer<typeof TaskBulkDeleteInput>;

export const TaskBulkUpdated = z
  .object({
    updated: z
      .int()
      .meta({ description: "how many tasks changed (those the change left as they were are not counted)" }),
    ids: z.array(Id),
  })
  .meta({ id: "TaskBulkUpdated" });
export const TaskBulkDeleted = z
  .object({ deleted: z.int(), ids: z.array(Id) })
  .meta({ id: "TaskBulkDeleted" });

export const TaskIdInput = z.strictObject({ id: Id });

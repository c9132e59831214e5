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

export const TaskListQuery = listQuery({
  status: enumList(TASK_STATUSES).optional(),
  priority: enumList(TASK_PRIORITIES).optional(),
  assigneeId: Id.optional(),
  createdById: Id.optional(),
  dueBefore: dateInput("startOfDay").optional(),
  dueAfter: dateInput("endOfDay").optional(),
  search: text().max(200).optional(),
  ordering: orderingParam(TASK_ORDER_FIELDS, "-createdAt"),
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskIdInput = z.strictObject({ id: Id });

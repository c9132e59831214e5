import {
  BULK_MAX_IDS,
  LogListQuery,
  LogPage,
  Task,
  TaskBulkDeleted,
  TaskBulkDeleteInput,
  TaskBulkUpdated,
  TaskBulkUpdateInput,
  TaskCreateInput,
  TaskIdInput,
  TaskListQuery,
  TaskLogQuery,
  TaskPage,
  TaskUpdateInput,
} from "@taskmgr/db/contracts";
import { z } from "zod";
import { adminProcedure, authedProcedure, router } from "../trpc";

const TAGS = ["tasks"];

// Declaration order is REST match order: /tasks/logs must come before /tasks/{id}.
export const tasksRouter = router({
  list: authedProcedure
    .meta({
      scope: "tasks:read",
      openapi: { method: "GET", path: "/tasks", tags: TAGS, protect: true, summary: "List tasks" },
    })
    .input(TaskListQuery)
    .output(TaskPage)
    .query(({ ctx, input }) => ctx.services.taskQueries.list(ctx.user, input)),

  create: authedProcedure
    .meta({
      scope: "tasks:write",
      successStatus: 201,
      openapi: { method: "POST", path: "/tasks", tags: TAGS, protect: true, summary: "Create a task" },
    })
    .input(TaskCreateInput)
    .output(Task)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.create(ctx.user, input)),

  logs: authedProcedure
    .meta({
      scope: "tasks:read",
      openapi: { method: "GET", path: "/tasks/logs", tags: TAGS, protect: true, summary: "The activity log" },
    })
    .input(LogListQuery)
    .output(LogPage)
    .query(({ ctx, input }) => ctx.services.taskQueries.logs(ctx.user, input)),

  bulkUpdate: authedProcedure
    .meta({
      scope: "tasks:write",
      errors: [403, 404, 409],
      openapi: {
        method: "POST",
        path: "/tasks/bulk-update",
        tags: TAGS,
        protect: true,
        summary: "Change many tasks at once, all or nothing",
        description: `Names up to ${BULK_MAX_IDS} tasks by id, or selects them with the list's filters (confirmCount required past ${BULK_MAX_IDS}). Each task gets the log entries a single update would write.`,
      },
    })
    .input(TaskBulkUpdateInput)
    .output(TaskBulkUpdated)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.bulkUpdate(ctx.user, input)),

  bulkDelete: adminProcedure
    .meta({
      scope: "tasks:write",
      errors: [403, 404, 409],
      openapi: {
        method: "POST",
        path: "/tasks/bulk-delete",
        tags: TAGS,
        protect: true,
        summary: "Delete many tasks at once, all or nothing (ADMIN)",
      },
    })
    .input(TaskBulkDeleteInput)
    .output(TaskBulkDeleted)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.bulkDelete(ctx.user, input)),

  get: authedProcedure
    .meta({
      scope: "tasks:read",
      openapi: { method: "GET", path: "/tasks/{id}", tags: TAGS, protect: true, summary: "A task" },
    })
    .input(TaskIdInput)
    .output(Task)
    .query(({ ctx, input }) => ctx.services.taskQueries.get(ctx.user, input.id)),

  logsOf: authedProcedure
    .meta({
      scope: "tasks:read",
      openapi: {
        method: "GET",
        path: "/tasks/{id}/logs",
        tags: TAGS,
        protect: true,
        summary: "One task's history",
      },
    })
    .input(TaskLogQuery)
    .output(LogPage)
    .query(({ ctx, input }) => ctx.services.taskQueries.logsOf(ctx.user, input)),

  update: authedProcedure
    .meta({
      scope: "tasks:write",
      errors: [409],
      openapi: { method: "PATCH", path: "/tasks/{id}", tags: TAGS, protect: true, summary: "Change a task" },
    })
    .input(TaskUpdateInput)
    .output(Task)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.update(ctx.user, input)),

  delete: adminProcedure
    .meta({
      scope: "tasks:write",
      successStatus: 204,
      openapi: {
        method: "DELETE",
        path: "/tasks/{id}",
        tags: TAGS,
        protect: true,
        summary: "Delete a task (ADMIN)",
      },
    })
    .input(TaskIdInput)
    .output(z.void())
    .mutation(({ ctx, input }) => ctx.services.taskWrites.delete(ctx.user, input.id)),
});

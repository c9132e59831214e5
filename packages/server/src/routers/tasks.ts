import {
  LogListQuery,
  LogPage,
  Task,
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
    .meta({ openapi: { method: "GET", path: "/tasks", tags: TAGS, protect: true, summary: "List tasks" } })
    .input(TaskListQuery)
    .output(TaskPage)
    .query(({ ctx, input }) => ctx.services.taskQueries.list(ctx.user, input)),

  create: authedProcedure
    .meta({
      successStatus: 201,
      openapi: { method: "POST", path: "/tasks", tags: TAGS, protect: true, summary: "Create a task" },
    })
    .input(TaskCreateInput)
    .output(Task)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.create(ctx.user, input)),

  logs: authedProcedure
    .meta({
      openapi: { method: "GET", path: "/tasks/logs", tags: TAGS, protect: true, summary: "The activity log" },
    })
    .input(LogListQuery)
    .output(LogPage)
    .query(({ ctx, input }) => ctx.services.taskQueries.logs(ctx.user, input)),

  get: authedProcedure
    .meta({ openapi: { method: "GET", path: "/tasks/{id}", tags: TAGS, protect: true, summary: "A task" } })
    .input(TaskIdInput)
    .output(Task)
    .query(({ ctx, input }) => ctx.services.taskQueries.get(ctx.user, input.id)),

  logsOf: authedProcedure
    .meta({
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
      errors: [409],
      openapi: { method: "PATCH", path: "/tasks/{id}", tags: TAGS, protect: true, summary: "Change a task" },
    })
    .input(TaskUpdateInput)
    .output(Task)
    .mutation(({ ctx, input }) => ctx.services.taskWrites.update(ctx.user, input)),

  delete: adminProcedure
    .meta({
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

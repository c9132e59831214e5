import { Id, User, UserCreateInput, UserListQuery, UserPage, UserUpdateInput } from "@taskmgr/db/contracts";
import { z } from "zod";
import { adminProcedure, authedProcedure, router } from "../trpc";

const TAGS = ["users"];

export const usersRouter = router({
  list: adminProcedure
    .meta({
      scope: "users:read",
      openapi: { method: "GET", path: "/users", tags: TAGS, protect: true, summary: "List users (ADMIN)" },
    })
    .input(UserListQuery)
    .output(UserPage)
    .query(({ ctx, input }) => ctx.services.users.list(input)),

  create: adminProcedure
    .meta({
      scope: "users:write",
      errors: [409],
      successStatus: 201,
      openapi: {
        method: "POST",
        path: "/users",
        tags: TAGS,
        protect: true,
        summary: "Create a user (ADMIN)",
      },
    })
    .input(UserCreateInput)
    .output(User)
    .mutation(({ ctx, input }) => ctx.services.users.create(input)),

  get: authedProcedure
    .meta({
      scope: "users:read",
      openapi: {
        method: "GET",
        path: "/users/{id}",
        tags: TAGS,
        protect: true,
        summary: "A user (ADMIN, or self)",
      },
    })
    .input(z.strictObject({ id: Id }))
    .output(User)
    .query(({ ctx, input }) => ctx.services.users.get(ctx.user, input.id)),

  update: authedProcedure
    .meta({
      scope: "users:write",
      errors: [409],
      openapi: {
        method: "PATCH",
        path: "/users/{id}",
        tags: TAGS,
        protect: true,
        summary: "Change a user (ADMIN, or self)",
      },
    })
    .input(UserUpdateInput)
    .output(User)
    .mutation(({ ctx, input }) => ctx.services.users.update(ctx.user, input, ctx.ip)),
});

import { Id, User, UserCreateInput, UserListQuery, UserPage, UserUpdateInput } from "@taskmgr/db/contracts";
import { z } from "zod";
import { forbidden } from "../errors";
import { adminProcedure, authedProcedure, router } from "../trpc";

const TAGS = ["users"];

/** An admin, or the user named by the input's id. */
const selfOrAdminProcedure = authedProcedure.use(async ({ ctx, getRawInput, next }) => {
  const raw = (await getRawInput()) as { id?: unknown } | undefined;
  if (ctx.user.role !== "ADMIN" && String(raw?.id).toLowerCase() !== ctx.user.id)
    throw forbidden("You may only see and change yourself");
  return next();
});

export const usersRouter = router({
  list: adminProcedure
    .meta({
      openapi: { method: "GET", path: "/users", tags: TAGS, protect: true, summary: "List users (ADMIN)" },
    })
    .input(UserListQuery)
    .output(UserPage)
    .query(({ ctx, input }) => ctx.services.users.list(input)),

  create: adminProcedure
    .meta({
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

  get: selfOrAdminProcedure
    .meta({
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
    .query(({ ctx, input }) => ctx.services.users.get(input.id)),

  update: selfOrAdminProcedure
    .meta({
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

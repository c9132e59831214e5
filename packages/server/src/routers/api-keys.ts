import { ApiKeyCreateInput, ApiKeyListQuery, ApiKeyPage, ApiKeyWithSecret, Id } from "@taskmgr/db/contracts";
import { z } from "zod";
import { authedProcedure, router } from "../trpc";

const TAGS = ["api-keys"];

export const apiKeysRouter = router({
  list: authedProcedure
    .meta({
      scope: "users:read",
      errors: [403],
      openapi: {
        method: "GET",
        path: "/api-keys",
        tags: TAGS,
        protect: true,
        summary: "List API keys: yours, or a user's (ADMIN)",
      },
    })
    .input(ApiKeyListQuery)
    .output(ApiKeyPage)
    .query(({ ctx, input }) => ctx.services.apiKeys.list(ctx.user, input)),

  create: authedProcedure
    .meta({
      scope: "users:write",
      errors: [403],
      successStatus: 201,
      replayable: false,
      openapi: {
        method: "POST",
        path: "/api-keys",
        tags: TAGS,
        protect: true,
        summary: "Make an API key: yours, or a user's (ADMIN). Its secret is in this answer only.",
      },
    })
    .input(ApiKeyCreateInput)
    .output(ApiKeyWithSecret)
    .mutation(({ ctx, input }) => ctx.services.apiKeys.create(ctx.user, input)),

  revoke: authedProcedure
    .meta({
      scope: "users:write",
      successStatus: 204,
      openapi: {
        method: "DELETE",
        path: "/api-keys/{id}",
        tags: TAGS,
        protect: true,
        summary: "Revoke an API key: yours, or anyone's (ADMIN); refused at once on every replica",
      },
    })
    .input(z.strictObject({ id: Id }))
    .output(z.void())
    .mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(ctx.user, input.id)),
});

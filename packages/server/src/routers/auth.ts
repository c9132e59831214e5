import { LoginInput, RefreshInput, TokenPair, User } from "@taskmgr/db/contracts";
import { z } from "zod";
import { authedProcedure, publicProcedure, router } from "../trpc";

const TAGS = ["auth"];

export const authRouter = router({
  login: publicProcedure
    .meta({
      errors: [401],
      openapi: {
        method: "POST",
        path: "/auth/login",
        tags: TAGS,
        protect: false,
        summary: "Log in for an access and a refresh token",
      },
    })
    .input(LoginInput)
    .output(TokenPair)
    .mutation(({ ctx, input }) => {
      ctx.setHeader("Cache-Control", "no-store");
      return ctx.services.users.login(input.username, input.password, ctx.ip);
    }),

  refresh: publicProcedure
    .meta({
      errors: [401],
      openapi: {
        method: "POST",
        path: "/auth/refresh",
        tags: TAGS,
        protect: false,
        summary: "Spend a refresh token for a new pair",
      },
    })
    .input(RefreshInput)
    .output(TokenPair)
    .mutation(({ ctx, input }) => {
      ctx.setHeader("Cache-Control", "no-store");
      return ctx.services.tokens.rotate(input.refresh);
    }),

  logout: authedProcedure
    .meta({
      successStatus: 204,
      openapi: {
        method: "POST",
        path: "/auth/logout",
        tags: TAGS,
        protect: true,
        summary: "Revoke a refresh token's family",
      },
    })
    .input(RefreshInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await ctx.services.tokens.logout(ctx.user.id, input.refresh);
    }),

  me: authedProcedure
    .meta({
      openapi: { method: "GET", path: "/auth/me", tags: TAGS, protect: true, summary: "The current user" },
    })
    .input(z.void())
    .output(User)
    .query(({ ctx }) => ctx.services.users.get(ctx.user, ctx.user.id)),
});

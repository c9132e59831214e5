import {
  type CookieTokens,
  LoginAnswer,
  LoginInput,
  LogoutInput,
  RefreshInput,
  type TokenPair,
  User,
} from "@taskmgr/db/contracts";
import { z } from "zod";
import { fieldError, forbidden, unauthorized } from "../errors";
import type { SessionCookie } from "../http/session-cookie";
import { authedProcedure, publicProcedure, router, TRPCError } from "../trpc";

/** With `session: "cookie"`, the refresh token goes into the cookie and the answer keeps only the access token. */
function answer(pair: TokenPair, session: SessionCookie, toCookie: boolean): TokenPair | CookieTokens {
  if (!toCookie) return pair;
  session.write(pair.refresh);
  return { access: pair.access, tokenType: pair.tokenType, expiresIn: pair.expiresIn };
}

/** The refresh token of a request: its body's, else (for `session: "cookie"`) the cookie's. */
function refreshTokenOf(
  input: { refresh?: string | undefined; session?: "cookie" | undefined },
  session: SessionCookie,
) {
  if (input.refresh !== undefined) return input.refresh;
  if (input.session !== "cookie")
    throw fieldError("refresh", 'Required (or send session: "cookie" to use the session cookie)');
  if (!session.fromOwnOrigin())
    throw forbidden("The session cookie is only accepted from this server's own pages");
  const token = session.read();
  if (!token) throw unauthorized("No session cookie; log in again");
  return token;
}

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
    .output(LoginAnswer)
    .mutation(async ({ ctx, input }) => {
      ctx.setHeader("Cache-Control", "no-store");
      const pair = await ctx.services.users.login(input.username, input.password, ctx.ip);
      return answer(pair, ctx.session, input.session === "cookie");
    }),

  refresh: publicProcedure
    .meta({
      errors: [401, 403],
      openapi: {
        method: "POST",
        path: "/auth/refresh",
        tags: TAGS,
        protect: false,
        summary: "Spend a refresh token for a new pair",
      },
    })
    .input(RefreshInput)
    .output(LoginAnswer)
    .mutation(async ({ ctx, input }) => {
      ctx.setHeader("Cache-Control", "no-store");
      const useCookie = input.session === "cookie";
      const refresh = refreshTokenOf(input, ctx.session);
      try {
        return answer(await ctx.services.tokens.rotate(refresh), ctx.session, useCookie);
      } catch (err) {
        // A spent, revoked or expired token in the cookie is of no more use: the browser forgets it. (Not on a
        // database outage: the token may still be good.)
        if (
          useCookie &&
          input.refresh === undefined &&
          err instanceof TRPCError &&
          err.code === "UNAUTHORIZED"
        ) {
          ctx.session.clear();
        }
        throw err;
      }
    }),

  logout: authedProcedure
    .meta({
      scope: "any",
      successStatus: 204,
      openapi: {
        method: "POST",
        path: "/auth/logout",
        tags: TAGS,
        protect: true,
        summary: "Revoke a refresh token's family",
      },
    })
    .input(LogoutInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const cookie =
        input.refresh === undefined && ctx.session.fromOwnOrigin() ? ctx.session.read() : undefined;
      const refresh = input.refresh ?? cookie;
      if (refresh === undefined)
        throw fieldError("refresh", "Required: in the body, or as the session cookie");
      await ctx.services.tokens.logout(ctx.user.id, refresh);
      if (cookie !== undefined) ctx.session.clear();
    }),

  me: authedProcedure
    .meta({
      scope: "any",
      openapi: { method: "GET", path: "/auth/me", tags: TAGS, protect: true, summary: "The current user" },
    })
    .input(z.void())
    .output(User)
    .query(({ ctx }) => ctx.services.users.get(ctx.user, ctx.user.id)),
});

import { isDatabaseUnavailable } from "@taskmgr/db";
import type { Role } from "@taskmgr/db/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { AppDeps } from "./deps";
import { describeIssues, fieldIssues, forbidden, unauthorized, zodIssuesOf } from "./errors";
import type { Services } from "./services";

export interface AuthUser {
  id: string;
  username: string;
  role: Role;
}

/** Built per request by both doors (/trpc and /api) from the same parts. */
export interface Context {
  deps: AppDeps;
  services: Services;
  requestId: string;
  ip: string;
  authorization: string | null;
  setHeader(name: string, value: string): void;
  user: AuthUser | null;
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // No stacks, no SQL: internal errors say only that they happened. Validation errors name their fields.
    errorFormatter({ shape, error, ctx }) {
      const zodIssues = error.code === "BAD_REQUEST" ? zodIssuesOf(error.cause) : null;
      const issues = zodIssues ? fieldIssues(zodIssues) : undefined;
      const code = error.code === "PARSE_ERROR" ? "BAD_REQUEST" : error.code;
      const message =
        error.code === "INTERNAL_SERVER_ERROR"
          ? "Internal server error"
          : issues
            ? describeIssues(issues)
            : error.code === "PARSE_ERROR"
              ? "Request body is not valid JSON"
              : error.message;
      return {
        message,
        code: shape.code,
        data: {
          code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(issues ? { issues } : {}),
          ...(ctx?.requestId ? { requestId: ctx.requestId } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure: a database that is down or restarting is a 503 the client may retry, not an internal error.
 * A write in flight rolled back with its transaction, unless the connection was lost during its commit.
 */
const baseProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && isDatabaseUnavailable(result.error)) {
    ctx.setHeader("Retry-After", "1");
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is unavailable; try again shortly",
      cause: result.error,
    });
  }
  return result;
});

/** Anyone: login and refresh. */
export const publicProcedure = baseProcedure;

/** A valid access token of an active user. The user is re-read, so deactivation and demotion act at once. */
export const authedProcedure = baseProcedure.use(async ({ ctx, next }) => {
  const header = ctx.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match)
    throw unauthorized(header ? "Malformed Authorization header: use Bearer <access token>" : undefined);
  const claims = await ctx.services.tokens.verifyAccess(match[1]!);
  if (!claims) throw unauthorized("Invalid or expired access token");
  const user = await ctx.services.users.findActive(claims.sub);
  if (!user) throw unauthorized("User is deactivated or no longer exists");
  return next({ ctx: { ...ctx, user: { id: user.id, username: user.username, role: user.role } } });
});

/** ADMIN only. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw forbidden();
  return next({ ctx });
});

export { TRPCError };

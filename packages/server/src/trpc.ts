import { codesAlong, isDatabaseUnavailable } from "@taskmgr/db";
import type { Role } from "@taskmgr/db/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { AppDeps } from "./deps";
import { describeIssues, fieldIssues, forbidden, retryAfterOf, unauthorized, zodIssuesOf } from "./errors";
import { MAX_ANSWER_BYTES } from "./limits";
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
  /** Set for a tRPC batch: its calls share one answer, whose size is counted as each call finishes. */
  batch: { answerBytes: number } | null;
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

const QUERY_CANCELED = "57014";

/**
 * Every procedure: a database that is down or restarting is a 503 the client may retry, not an internal error.
 * A write in flight rolled back with its transaction, unless the connection was lost during its commit.
 * A statement cancelled by the statement timeout is a 503 too, naming the timeout. An error that says when to
 * come back sends Retry-After. A batch's answers are counted as they finish and bounded in size.
 */
const baseProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const retryAfter = retryAfterOf(result.error);
    if (retryAfter) ctx.setHeader("Retry-After", String(retryAfter));
    if (isDatabaseUnavailable(result.error)) {
      ctx.setHeader("Retry-After", "1");
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: "The database is unavailable; try again shortly",
        cause: result.error,
      });
    }
    if ([...codesAlong(result.error)].includes(QUERY_CANCELED)) {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: `The query ran longer than the statement timeout (${ctx.deps.config.DB_STATEMENT_TIMEOUT_MS} ms); narrow it`,
        cause: result.error,
      });
    }
    return result;
  }
  if (ctx.batch) {
    ctx.batch.answerBytes += JSON.stringify(result.data ?? null).length;
    if (ctx.batch.answerBytes > MAX_ANSWER_BYTES) {
      throw new TRPCError({
        code: "PAYLOAD_TOO_LARGE",
        message: `The batch's answers exceed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; send fewer calls in one batch`,
      });
    }
  }
  return result;
});

const anonymous = (ctx: Context) => `address:${ctx.ip}`;

/** Anyone: login and refresh. Their budget is the client address's. */
export const publicProcedure = baseProcedure.use(({ ctx, next }) =>
  ctx.services.budget.run(anonymous(ctx), () => next()),
);

/**
 * A valid access token of an active user, in a live session. The user and the session are re-read, so
 * deactivation, demotion, logout and a password change act at once, on every replica. A call that fails to
 * authenticate is charged to its address's budget, so tokens cannot be guessed at leisure.
 */
export const authedProcedure = baseProcedure.use(async ({ ctx, next }) => {
  const header = ctx.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const refuse = async (message?: string) => {
    await ctx.services.budget.run(anonymous(ctx), async () => undefined);
    throw unauthorized(message);
  };
  if (!match) return refuse(header ? "Malformed Authorization header: use Bearer <access token>" : undefined);
  const claims = await ctx.services.tokens.verifyAccess(match[1]!);
  if (!claims) return refuse("Invalid or expired access token");
  const user = await ctx.services.users.findActive(claims.sub, claims.sid);
  if (!user) return refuse("Session ended, or the user is deactivated or no longer exists");
  return ctx.services.budget.run(`user:${user.id}`, () =>
    next({ ctx: { ...ctx, user: { id: user.id, username: user.username, role: user.role } } }),
  );
});

/** ADMIN only. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw forbidden();
  return next({ ctx });
});

export { TRPCError };

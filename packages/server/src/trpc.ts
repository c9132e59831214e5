import { codesAlong, isDatabaseUnavailable } from "@taskmgr/db";
import { errorBody } from "@taskmgr/db/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { AppDeps } from "./deps";
import { contractError, delayRefusal, forbidden, retryAfterOf, unauthorized } from "./errors";
import type { SessionCookie } from "./http/session-cookie";
import { BUDGET_UNIT_CHARS, jsonSize, MAX_ANSWER_BYTES } from "./limits";
import type { Services } from "./services";
import type { AuthUser } from "./services/actor";
import { assertScope, type RequiredScope } from "./services/api-key-policy";
import { API_KEY_PATTERN } from "./services/api-keys";
import type { BudgetState, Tier } from "./services/call-budget";

export type { AuthUser };

export interface RequestCosts {
  /** A tRPC batch: its calls share one answer, whose size is bounded. */
  batch: boolean;
  /** Characters of JSON answered so far by the request's calls. */
  answerChars: number;
  /** Characters of the request's body not yet charged to a caller's budget (the first call pays for them). */
  unchargedBodyChars: number;
}

/** Built per request by both doors (/trpc and /api) from the same parts. */
export interface Context {
  deps: AppDeps;
  services: Services;
  requestId: string;
  ip: string;
  authorization: string | null;
  setHeader(name: string, value: string): void;
  /** The console's refresh-token cookie (API.md, Console). */
  session: SessionCookie;
  user: AuthUser | null;
  /** The request's Idempotency-Key header, unchecked (API.md, safe retries). */
  idempotencyKey: string | null;
  /** Shared by the calls of one HTTP request (a tRPC batch has several): what they cost together. */
  request: RequestCosts;
}

/**
 * A procedure's meta: its REST route (trpc-to-openapi), its REST success status when not 200, and the error
 * statuses it answers beyond those every operation may (the OpenAPI document lists both: http/openapi.ts).
 */
export type AppMeta = OpenApiMeta & {
  successStatus?: 201 | 204;
  errors?: readonly ErrorStatus[];
  /** What an API key's scopes must include for this call (services/api-key-policy.ts). */
  scope?: RequiredScope;
  /**
   * False for a mutation whose answer is a credential (a token, a key's secret): the server never stores one in
   * clear, so an Idempotency-Key is checked but its answer is not kept for a replay.
   */
  replayable?: false;
};
type ErrorStatus = 401 | 403 | 404 | 409;

/** A procedure's meta, read from the router's procedure table. */
export function metaOf(procedure: unknown): AppMeta | undefined {
  return (procedure as { _def?: { meta?: AppMeta } } | undefined)?._def?.meta;
}

/** The REST success status of a procedure: its meta's, else 200. */
export function successStatusOf(procedure: unknown): number {
  return metaOf(procedure)?.successStatus ?? 200;
}

const t = initTRPC
  .context<Context>()
  .meta<AppMeta>()
  .create({
    // Event streams (events.subscribe): a ping every 15 s, under the 20 s after which a client reconnects.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 20_000 } },
    // No stacks, no SQL: internal errors say only that they happened. Validation errors name their fields.
    errorFormatter({ shape, error, ctx }) {
      const { message, code, issues } = contractError(error);
      // The contract's body (ErrorBody) travels in tRPC's envelope: its message, and the rest under data.
      const {
        message: _,
        requestId,
        ...body
      } = errorBody({
        message,
        code,
        issues,
        requestId: ctx?.requestId ?? "",
      });
      return {
        message,
        code: shape.code,
        data: {
          ...body,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(requestId ? { requestId } : {}),
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
 * come back sends Retry-After; a refusal for too many requests is also delayed.
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
    if (result.error.code === "TOO_MANY_REQUESTS") {
      await delayRefusal(ctx.deps.config.RATE_LIMIT_DELAY_MS, retryAfter);
    }
    if ([...codesAlong(result.error)].includes(QUERY_CANCELED)) {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: `The query ran longer than the statement timeout (${ctx.deps.config.DB_STATEMENT_TIMEOUT_MS} ms); narrow it`,
        cause: result.error,
      });
    }
  }
  return result;
});

export const anonymous = (ip: string) => `address:${ip}`;

/** One unit for the call, and the request's body, charged to its first call. */
function unitsOfBody(ctx: Context): number {
  const body = ctx.request.unchargedBodyChars;
  ctx.request.unchargedBodyChars = 0;
  return 1 + Math.floor(body / BUDGET_UNIT_CHARS);
}

/**
 * Runs a call on its caller's budget: one unit for the call, plus one for every BUDGET_UNIT_CHARS of the
 * request's body (charged to its first call) and of the call's answer, so that large answers and bodies are
 * paid for by size, not only by number. A batch's answers together are also bounded in size.
 */
async function withinBudget<R extends { ok: boolean; data?: unknown }>(
  ctx: Context,
  type: string,
  principal: string,
  next: () => Promise<R>,
  tier: Tier = "person",
): Promise<R> {
  const answerTooLarge = () =>
    new TRPCError({
      code: "PAYLOAD_TOO_LARGE",
      message: `The batch's answers exceed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB of JSON; send fewer calls in one batch`,
    });
  // A call that starts once the batch's answers are full is refused before it computes anything.
  if (ctx.request.batch && ctx.request.answerChars > MAX_ANSWER_BYTES) throw answerTooLarge();
  const result = await ctx.services.budget.run(principal, unitsOfBody(ctx), next, {
    tier,
    report: (state) => setRateLimitHeaders(ctx, state),
  });
  if (!result.ok) return result;
  const size = jsonSize(result.data);
  await ctx.services.budget.charge(principal, Math.floor(size / BUDGET_UNIT_CHARS), tier);
  if (ctx.request.batch) {
    ctx.request.answerChars += size;
    // A change is answered whatever its size: it has been made.
    if (ctx.request.answerChars > MAX_ANSWER_BYTES && type !== "mutation") throw answerTooLarge();
  }
  return result;
}

/** The IETF draft's headers (draft-ietf-httpapi-ratelimit-headers): the policy, and what is left of it. */
function setRateLimitHeaders(ctx: Context, state: BudgetState): void {
  ctx.setHeader("RateLimit-Policy", `"${state.policy}";q=${state.limit};w=${state.windowSeconds}`);
  ctx.setHeader("RateLimit", `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`);
}

/** Anyone: login and refresh. Their budget is the client address's. */
export const publicProcedure = baseProcedure.use(({ ctx, type, next }) =>
  withinBudget(ctx, type, anonymous(ctx.ip), next),
);

/** The credential of an `Authorization: Bearer <credential>` header, if it is one. */
export function bearerCredential(header: string | null | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}

/** Who a bearer credential is, if anyone: an API key (tm_…) or an access token in a live session. */
export async function authenticate(ctx: Context, credential: string): Promise<AuthUser | null> {
  if (credential.startsWith("tm_")) return ctx.services.apiKeys.authenticate(credential);
  const claims = await ctx.services.tokens.verifyAccess(credential);
  if (!claims) return null;
  const user = await ctx.services.users.findActive(claims.sub, claims.sid);
  return user ? { ...user, kind: "PERSON" } : null;
}

/**
 * A valid API key, or a valid access token of an active user in a live session. The key, the user and the
 * session are re-read on every call, so revocation, expiry, deactivation, demotion, logout and a password change
 * act at once, on every replica. A call that fails to authenticate is charged to its address's budget, so
 * credentials cannot be guessed at leisure. A key's scopes are checked against the procedure's, and its budget is
 * its own (a service account's is larger). A mutation with an Idempotency-Key runs once per key (safe retries).
 */
export const authedProcedure = baseProcedure.use(async ({ ctx, type, meta, path, getRawInput, next }) => {
  const header = ctx.authorization;
  const credential = bearerCredential(header);
  const refuse = async (message?: string) => {
    await ctx.services.budget.run(anonymous(ctx.ip), unitsOfBody(ctx), async () => undefined);
    throw unauthorized(message);
  };
  if (!credential) {
    return refuse(
      header ? "Malformed Authorization header: use Bearer <access token or API key>" : undefined,
    );
  }
  const user = await authenticate(ctx, credential);
  if (!user) {
    return refuse(
      credential.startsWith("tm_")
        ? API_KEY_PATTERN.test(credential)
          ? "Unknown, revoked or expired API key, or its user is deactivated"
          : "Malformed API key"
        : "Invalid or expired access token, ended session, or deactivated user",
    );
  }
  const principal = user.apiKey ? `key:${user.apiKey.id}` : `user:${user.id}`;
  const tier: Tier = user.kind === "SERVICE" ? "service" : "person";
  const call = () => {
    // Inside the budget, so that a refusal carries the RateLimit headers like every authenticated answer.
    assertScope(user, meta?.scope);
    return next({ ctx: { ...ctx, user } });
  };
  return withinBudget(
    ctx,
    type,
    principal,
    () =>
      type === "mutation" && ctx.idempotencyKey !== null
        ? onceByKey(ctx, user, { path, meta, getRawInput }, call)
        : call(),
    tier,
  );
});

/**
 * Runs a mutation once per (user, Idempotency-Key): a repeat answers the stored result, marked with
 * Idempotent-Replayed (services/idempotency.ts; the answer is stored in the change's transaction).
 */
async function onceByKey<R extends { ok: boolean }>(
  ctx: Context,
  user: AuthUser,
  call: { path: string; meta: AppMeta | undefined; getRawInput: () => Promise<unknown> },
  next: () => Promise<R>,
): Promise<R> {
  const key = ctx.services.idempotency.parseKey(ctx.idempotencyKey!);
  if (call.meta?.replayable === false) return next();
  const outcome = await ctx.services.idempotency
    .run(
      {
        caller: `user:${user.id}`,
        key,
        path: call.path,
        input: await call.getRawInput(),
        status: call.meta?.successStatus ?? 200,
      },
      async () => {
        const result = await next();
        // A failure stores nothing: the error travels on as the result it is.
        if (!result.ok) throw new FailedCall(result);
        return result;
      },
    )
    .catch((err) => {
      if (err instanceof FailedCall) return { replayed: false as const, answer: err.result as R };
      throw err;
    });
  if (!outcome.replayed) return outcome.answer as R;
  ctx.setHeader("Idempotent-Replayed", "true");
  // The stored answer stands in for the procedure's: tRPC reads only ok and data of a middleware's result.
  return { ok: true, data: outcome.answer, marker: undefined } as unknown as R;
}

class FailedCall extends Error {
  constructor(readonly result: { ok: boolean; error?: unknown }) {
    super("the call failed", { cause: result.error });
  }
}

/** ADMIN only. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw forbidden();
  return next({ ctx });
});

export { TRPCError };

import { codesAlong } from "@taskmgr/db";
import { contractCode, type ErrorCode, type FieldIssue } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";

export type { FieldIssue };

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

/** Zod issues as the contract wants them: one per bad field, each naming its path (an unknown key names itself). */
export function fieldIssues(issues: readonly ZodLikeIssue[]): FieldIssue[] {
  return issues.flatMap((i) => {
    const base = i.path.map(String);
    if (i.code === "unrecognized_keys" && i.keys?.length) {
      return i.keys.map((key) => ({
        path: [...base, key].join("."),
        message: "unknown field",
        code: i.code,
      }));
    }
    return [{ path: base.join(".") || "(input)", message: i.message, ...(i.code ? { code: i.code } : {}) }];
  });
}

export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}

/**
 * What a procedure's error says to a client, on every door: its contract code, a message naming the bad fields
 * (no stack, no SQL: an internal error says only that it happened), and the fields as issues.
 */
export function contractError(error: TRPCError): {
  code: ErrorCode;
  message: string;
  issues: FieldIssue[] | undefined;
} {
  const zodIssues = error.code === "BAD_REQUEST" ? zodIssuesOf(error.cause) : null;
  const issues = zodIssues ? fieldIssues(zodIssues) : undefined;
  const message =
    error.code === "INTERNAL_SERVER_ERROR"
      ? "Internal server error"
      : issues
        ? describeIssues(issues)
        : error.code === "PARSE_ERROR"
          ? "Request body is not valid JSON"
          : error.message;
  return { code: contractCode(error.code), message, issues };
}

export function zodIssuesOf(cause: unknown): ZodLikeIssue[] | null {
  if (
    cause &&
    typeof cause === "object" &&
    "issues" in cause &&
    Array.isArray((cause as { issues: unknown }).issues)
  ) {
    return (cause as { issues: ZodLikeIssue[] }).issues;
  }
  return null;
}

const PG_UNIQUE_VIOLATION = "23505";
const PG_FOREIGN_KEY_VIOLATION = "23503";

function pgCode(err: unknown): string | undefined {
  for (const code of codesAlong(err)) if (/^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

/** The one place database errors become contract errors; anything unknown stays an internal error. */
export function mapDatabaseError(
  err: unknown,
  messages: { unique?: string; foreignKey?: string } = {},
): never {
  const code = pgCode(err);
  if (code === PG_UNIQUE_VIOLATION && messages.unique) {
    throw new TRPCError({ code: "CONFLICT", message: messages.unique });
  }
  if (code === PG_FOREIGN_KEY_VIOLATION && messages.foreignKey) {
    throw new TRPCError({ code: "BAD_REQUEST", message: messages.foreignKey });
  }
  throw err;
}

/**
 * A 400 about one field, answered as a failed input parse is: the message names the field, and `issues` holds
 * it (the error formatter reads the cause's issues), so a client finds the field the same way for every 400.
 */
export function fieldError(field: string, problem: string): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: `${field}: ${problem}`,
    cause: Object.assign(new Error(problem), {
      issues: [{ code: "custom", path: [field], message: problem }],
    }),
  });
}

export const unauthorized = (message = "Authentication required") =>
  new TRPCError({ code: "UNAUTHORIZED", message });
export const forbidden = (message = "Your role may not do this") =>
  new TRPCError({ code: "FORBIDDEN", message });
export const notFound = (what: string) => new TRPCError({ code: "NOT_FOUND", message: `${what} not found` });

/** An error the client may retry after `retryAfter` seconds; the procedure layer sends the Retry-After header. */
export type RetryableError = TRPCError & { retryAfter: number };

export const tooManyRequests = (message: string, retryAfter: number): RetryableError =>
  Object.assign(new TRPCError({ code: "TOO_MANY_REQUESTS", message }), {
    retryAfter: Math.max(1, Math.ceil(retryAfter)),
  });

/** The server has more of this work queued than it will hold; the client should come back shortly. */
export const busy = (message: string): RetryableError =>
  Object.assign(new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `${message}; try again shortly` }), {
    retryAfter: 1,
  });

/**
 * Waits before a refusal for too many requests is answered (at most its Retry-After): a client that retries in
 * a tight loop then costs a sleeping connection, not the CPU of a refusal after refusal.
 */
export function delayRefusal(maxMs: number, retryAfter: number | undefined): Promise<void> {
  const ms = Math.min(maxMs, (retryAfter ?? 1) * 1000);
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

export function retryAfterOf(err: unknown): number | undefined {
  const seconds = (err as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof seconds === "number" ? seconds : undefined;
}

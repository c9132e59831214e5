import { TRPCError } from "@trpc/server";

export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

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

/** The string `code`s along an error's cause chain (driver errors arrive wrapped by drizzle and tRPC). */
function* codesAlong(err: unknown): Generator<string> {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") yield code;
    current = (current as { cause?: unknown }).cause;
  }
}

function pgCode(err: unknown): string | undefined {
  for (const code of codesAlong(err)) if (/^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

// postgres.js's own codes for a connection it lost or could not make, Node's socket errors, and PostgreSQL's
// connection exceptions (08…) and shutdown / start-up states (57P01-57P03).
const UNAVAILABLE_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
]);

/** True when the database could not be reached or went away mid-query (not when a query itself failed). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const code of codesAlong(err)) if (UNAVAILABLE_CODES.has(code) || code.startsWith("08")) return true;
  return false;
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

export const unauthorized = (message = "Authentication required") =>
  new TRPCError({ code: "UNAUTHORIZED", message });
export const forbidden = (message = "Your role may not do this") =>
  new TRPCError({ code: "FORBIDDEN", message });
export const notFound = (what: string) => new TRPCError({ code: "NOT_FOUND", message: `${what} not found` });

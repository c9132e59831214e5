/** The string `code`s along an error's cause chain (driver errors arrive wrapped by drizzle and tRPC). */
export function* codesAlong(err: unknown): Generator<string> {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") yield code;
    current = (current as { cause?: unknown }).cause;
  }
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

/** The code saying the database could not be reached or went away mid-query (not that a query failed). */
export function unavailableCode(err: unknown): string | undefined {
  for (const code of codesAlong(err)) if (UNAVAILABLE_CODES.has(code) || code.startsWith("08")) return code;
  return undefined;
}

export const isDatabaseUnavailable = (err: unknown): boolean => unavailableCode(err) !== undefined;

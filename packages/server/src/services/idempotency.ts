import { createHash } from "node:crypto";
import { type Database, idempotencyKeys } from "@taskmgr/db";
import { TRPCError } from "@trpc/server";
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import { fieldError } from "../errors";
import { AnsweredMeanwhile, type IdempotencyClaim, withClaim } from "./transactions";

/** 1–255 printable ASCII characters (API.md, Idempotency-Key). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** JSON with object keys sorted: the same request gives the same fingerprint whatever order its keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** What a repeat is answered: the first answer (replayed), or a refusal. */
export type Earlier = { replay: unknown } | null;

export type Idempotency = ReturnType<typeof createIdempotency>;

/**
 * Safe retries (API.md, Idempotency-Key): the first answer to a (caller, key) is kept with a fingerprint of its
 * request for `ttlSeconds`; a repeat gets it back, a different request under the key is refused.
 */
export function createIdempotency(database: Database, ttlSeconds: number) {
  const { db } = database;
  // Answers this process has read back, until they expire: a stored answer never changes while it lives, so a
  // client retrying in a loop is answered from memory. Only answers read from the table get in (committed ones).
  const replayed = new LRUCache<string, { fingerprint: string; body: string; expiresAt: number }>({
    max: 10_000,
  });

  async function earlier(caller: string, key: string, fingerprint: string): Promise<Earlier> {
    const id = `${caller}\n${key}`;
    const cached = replayed.get(id);
    let row = cached && cached.expiresAt > Date.now() ? cached : undefined;
    if (!row) {
      const [stored] = await db
        .select()
        .from(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.caller, caller),
            eq(idempotencyKeys.key, key),
            gt(idempotencyKeys.expiresAt, sql`now()`),
          ),
        );
      if (!stored) return null;
      row = { fingerprint: stored.fingerprint, body: stored.body, expiresAt: stored.expiresAt.getTime() };
      replayed.set(id, row);
    }
    if (row.fingerprint !== fingerprint) {
      throw new TRPCError({
        code: "UNPROCESSABLE_CONTENT",
        message: "This Idempotency-Key was used for a different request; use a new key for a new request",
      });
    }
    return { replay: row.body === "" ? undefined : JSON.parse(row.body) };
  }

  return {
    /** The header checked: a 400 naming it when it is not 1–255 printable ASCII characters. */
    parseKey(header: string): string {
      if (!KEY_PATTERN.test(header)) {
        throw fieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
      }
      return header;
    },

    /**
     * Runs `call` once per (caller, key): a repeat gets the stored answer (`replayed` true), a different request
     * is 422, a repeat while the first runs is 409. A call that fails stores nothing, so its repeat runs again.
     */
    async run<T>(
      claim: Omit<IdempotencyClaim, "ttlSeconds" | "fingerprint"> & { path: string; input: unknown },
      call: () => Promise<T>,
    ): Promise<{ replayed: false; answer: T } | { replayed: true; answer: unknown }> {
      const fingerprint = createHash("sha256")
        .update(`${claim.path}\n${canonical(claim.input)}`)
        .digest("hex");
      const before = await earlier(claim.caller, claim.key, fingerprint);
      if (before) return { replayed: true, answer: before.replay };
      try {
        const answer = await withClaim({ ...claim, fingerprint, ttlSeconds }, call);
        return { replayed: false, answer };
      } catch (err) {
        if (!(err instanceof AnsweredMeanwhile) && !isAnsweredMeanwhile(err)) throw err;
        const after = await earlier(claim.caller, claim.key, fingerprint);
        if (!after) throw err;
        return { replayed: true, answer: after.replay };
      }
    },

    /** Drops answers past their time; returns how many went. */
    async purgeExpired(limit = 10_000): Promise<number> {
      const gone = await db.execute(
        sql`delete from ${idempotencyKeys} where ctid in (select ctid from ${idempotencyKeys} where ${lte(idempotencyKeys.expiresAt, sql`now()`)} limit ${limit})`,
      );
      return (
        (gone as { count?: number; affectedRows?: number }).count ??
        (gone as { affectedRows?: number }).affectedRows ??
        0
      );
    },
  };
}

/** The signal may reach us wrapped by tRPC (as a TRPCError's cause). */
function isAnsweredMeanwhile(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof AnsweredMeanwhile) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

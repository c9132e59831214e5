import { AsyncLocalStorage } from "node:async_hooks";
import { ADVISORY_LOCKS, type Database, idempotencyKeys, rowsOf, type Tx } from "@taskmgr/db";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";

/**
 * A call's claim on an Idempotency-Key (services/idempotency.ts): the answer its change gives is stored under it,
 * in the change's own transaction.
 */
export interface IdempotencyClaim {
  caller: string;
  key: string;
  fingerprint: string;
  /** The REST status the answer has (201 for a create). */
  status: number;
  ttlSeconds: number;
  /** Set once a transaction has taken the claim: a call's first transaction stores its answer, no later one. */
  taken?: boolean;
}

/** Thrown inside the claiming transaction when an identical request stored its answer first: ours rolls back. */
export class AnsweredMeanwhile extends Error {}

const claims = new AsyncLocalStorage<IdempotencyClaim>();

/** Runs a call with its claim; every inTransaction it reaches sees it. */
export const withClaim = <T>(claim: IdempotencyClaim, call: () => Promise<T>) => claims.run(claim, call);

/**
 * The transaction of a change made by a service. Under an Idempotency-Key claim it also holds the key (a
 * concurrent repeat is told 409 at once) and stores the answer before it commits: the change and its stored
 * answer commit together or not at all. Services open their transactions here, never on db directly.
 */
export function inTransaction<T>(database: Database, change: (tx: Tx) => Promise<T>): Promise<T> {
  const claim = claims.getStore();
  if (!claim || claim.taken) return database.db.transaction(change);
  claim.taken = true;
  return database.db.transaction(async (tx) => {
    const held = await tx.execute<{ held: boolean }>(
      sql`select pg_try_advisory_xact_lock(${ADVISORY_LOCKS.idempotencyKey}, hashtext(${`${claim.caller}\n${claim.key}`})) as held`,
    );
    if (!rowsOf<{ held: boolean }>(held)[0]?.held) throw inProgress();
    const answer = await change(tx);
    const stored = await tx
      .insert(idempotencyKeys)
      .values({
        caller: claim.caller,
        key: claim.key,
        fingerprint: claim.fingerprint,
        status: claim.status,
        body: JSON.stringify(answer) ?? "",
        expiresAt: sql`now() + make_interval(secs => ${claim.ttlSeconds})`,
      })
      .onConflictDoUpdate({
        // An expired answer is replaced; a live one means a repeat answered first.
        target: [idempotencyKeys.caller, idempotencyKeys.key],
        set: {
          fingerprint: claim.fingerprint,
          status: claim.status,
          body: JSON.stringify(answer) ?? "",
          createdAt: sql`now()`,
          expiresAt: sql`now() + make_interval(secs => ${claim.ttlSeconds})`,
        },
        setWhere: sql`${idempotencyKeys.expiresAt} <= now()`,
      })
      .returning({ caller: idempotencyKeys.caller });
    if (stored.length === 0) throw new AnsweredMeanwhile();
    return answer;
  });
}

export const inProgress = () =>
  new TRPCError({
    code: "CONFLICT",
    message: "A request with this Idempotency-Key is still being processed; retry once it has been answered",
  });

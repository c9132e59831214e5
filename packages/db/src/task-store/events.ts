import { sql } from "drizzle-orm";
import { ADVISORY_LOCKS } from "../advisory-locks";
import { type Executor, rowsOf } from "../client";
import { eventOutbox, events } from "../schema";

/** The channel on which a relay that numbered events says so, for every process that streams them. */
export const EVENTS_CHANNEL = "taskmgr_events";

/**
 * Numbers committed events: moves what the outbox holds (only committed rows are visible) into `events`, in
 * log order, under a transaction-scoped advisory lock so that one relay runs at a time, and notifies
 * EVENTS_CHANNEL. Returns how many it moved, or null when another relay holds the lock.
 *
 * Why no event is skipped: a reader resumes after a position, and positions are given here, at most once per
 * row, to rows already committed. A transaction that commits late (its log ids smaller than some already
 * numbered) is found by a later pass and numbered after them, never before a position a reader has passed.
 * Per task the order is the commit order: a change to a task waits for the row lock of the change before it,
 * so its entries are written (and logged in `seq`) after that change committed; both in one pass keep `seq`
 * order, in two passes the later commit goes in the later pass.
 */
export async function relayEvents(db: Executor, limit = 1000): Promise<number | null> {
  return db.transaction(async (tx) => {
    const held = rowsOf<{ held: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(${ADVISORY_LOCKS.eventRelay}) as held`),
    );
    if (!held[0]?.held) return null;
    const moved = rowsOf<{ position: number }>(
      await tx.execute(sql`
        with moved as (
          delete from ${eventOutbox}
          where ${eventOutbox.seq} in (select ${eventOutbox.seq} from ${eventOutbox} order by ${eventOutbox.seq} limit ${limit})
          returning ${eventOutbox.seq}, ${eventOutbox.logId}, ${eventOutbox.task})
        insert into ${events} (log_id, task)
        select moved.log_id, moved.task from moved order by moved.seq
        returning ${events.position}`),
    );
    if (moved.length > 0) await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, '')`);
    return moved.length;
  });
}

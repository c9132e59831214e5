import { activityLog, type Database, events } from "@taskmgr/db";
import type { EventType, LogAction, Task, TaskEvent } from "@taskmgr/db/contracts";
import { EVENTS_CHANNEL, relayEvents, taskFromStored } from "@taskmgr/db/task-store";
import { TRPCError } from "@trpc/server";
import { asc, eq, gt, max } from "drizzle-orm";
import { busy, fieldError, tooManyRequests, unauthorized } from "../errors";
import type { AuthUser } from "./actor";
import { canSee } from "./task-policy";

const TYPE_OF: Record<LogAction, EventType> = {
  CREATED: "task.created",
  UPDATED: "task.updated",
  DELETED: "task.deleted",
  MARKED_OVERDUE: "task.overdue",
};

interface EventRow {
  /** The event, made once for every stream that sends it. */
  event?: TaskEvent;
  position: number;
  id: string;
  taskId: string;
  actorId: string | null;
  action: LogAction;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  createdAt: Date;
  task: unknown;
}

export function toEvent(row: EventRow): TaskEvent {
  return {
    id: row.id,
    type: TYPE_OF[row.action],
    occurredAt: row.createdAt.toISOString(),
    taskId: row.taskId,
    actorId: row.actorId,
    changes:
      row.action === "UPDATED" || row.action === "MARKED_OVERDUE"
        ? [{ field: row.field ?? "", oldValue: row.oldValue as never, newValue: row.newValue as never }]
        : [],
    task: row.task as Task,
  };
}

interface Subscriber {
  principal: string;
  accept(row: EventRow): boolean;
  queue: EventRow[];
  dropped: boolean;
  wake: (() => void) | null;
}

export interface SubscribeOptions {
  actor: AuthUser;
  types?: readonly EventType[] | undefined;
  taskId?: string | undefined;
  /** Resume after this event id; without it, from now on. */
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Asked every `recheckMs`: false ends the stream (the user deactivated, the token expired, the key revoked). */
  stillAuthorized(): Promise<boolean>;
}

/** The event of a row, made once however many streams send it (they share the object; see events-stream.ts). */
function eventOf(row: EventRow): TaskEvent {
  row.event ??= toEvent(row);
  return row.event;
}

export interface EventHubOptions {
  /** How often each process looks for events without being told (the worker's sweep, a lost notification). */
  pollMs: number;
  /** Events one stream may have waiting; a client slower than that is dropped, not buffered without limit. */
  maxQueued: number;
  maxStreamsPerUser: number;
  /** Streams this process holds at most, whoever opens them: each costs memory, and the heap is bounded. */
  maxStreams: number;
  recheckMs: number;
}

export type EventHub = ReturnType<typeof createEventHub>;

/**
 * Live events for this process's streams. One pump per process numbers committed events (relayEvents) and reads
 * those it has not dispatched, in position order, then hands each to the streams that may see it. It runs when
 * this process wrote (poke), when any process's relay notifies, and every `pollMs`.
 */
export function createEventHub(database: Database, options: EventHubOptions) {
  const { db } = database;
  const subscribers = new Set<Subscriber>();
  let latest = 0;
  let started: Promise<void> | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;

  const PAGE = 500;
  const readAfter = async (position: number, limit = PAGE): Promise<EventRow[]> =>
    (
      await db
        .select({
          position: events.position,
          id: activityLog.id,
          taskId: activityLog.taskId,
          actorId: activityLog.actorId,
          action: activityLog.action,
          field: activityLog.field,
          oldValue: activityLog.oldValue,
          newValue: activityLog.newValue,
          createdAt: activityLog.createdAt,
          task: events.task,
        })
        .from(events)
        .innerJoin(activityLog, eq(activityLog.id, events.logId))
        .where(gt(events.position, position))
        .orderBy(asc(events.position))
        .limit(limit)
    ).map((row) => ({ ...row, task: taskFromStored(row.task) }));

  function dispatch(row: EventRow) {
    for (const sub of subscribers) {
      if (sub.dropped || !sub.accept(row)) continue;
      sub.queue.push(row);
      if (sub.queue.length > options.maxQueued) {
        sub.dropped = true;
        sub.queue.length = 0;
      }
      sub.wake?.();
    }
  }

  function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        again = false;
        while (((await relayEvents(db)) ?? 0) > 0) {}
        // Without streams here, nothing to read: `latest` is set again when the first one opens.
        if (subscribers.size === 0) continue;
        let rows: EventRow[];
        do {
          rows = await readAfter(latest);
          for (const row of rows) {
            dispatch(row);
            latest = row.position;
          }
        } while (rows.length === PAGE);
      } while (again);
    })().finally(() => {
      pumping = null;
    });
    return pumping;
  }

  /** Numbers every event committed so far, waiting out a relay that another process (or pump) is running. */
  async function numberCommitted(): Promise<void> {
    for (;;) {
      const moved = await relayEvents(db);
      if (moved === 0) return;
      if (moved === null) await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function currentPosition(): Promise<number> {
    const [row] = await db.select({ n: max(events.position) }).from(events);
    return row?.n ?? 0;
  }

  function start(): Promise<void> {
    started ??= (async () => {
      latest = await currentPosition();
      unlisten = await database.listen(EVENTS_CHANNEL, () => void pump().catch(() => undefined));
      timer = setInterval(() => void pump().catch(() => undefined), options.pollMs);
      timer.unref();
    })();
    return started;
  }

  return {
    start,

    /**
     * This process changed tasks: number their events now (and so tell every process's streams) rather than at
     * a poll. Pokes during a pass fold into one more pass.
     */
    poke(): void {
      void pump().catch(() => undefined);
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await unlisten?.().catch(() => undefined);
      await pumping?.catch(() => undefined);
      for (const sub of subscribers) {
        sub.dropped = true;
        sub.wake?.();
      }
    },

    /**
     * The events a caller may see (an intern: tasks assigned to or created by them as the event left the task),
     * narrowed by type and task, from `lastEventId` on (its events missed while away, each once) or from now.
     * Opened at once (the stream's place taken, `lastEventId` checked: refusals are thrown here, before any
     * answer is sent); the events then come from the generator it returns.
     */
    async subscribe(opts: SubscribeOptions): Promise<AsyncGenerator<TaskEvent, void, undefined>> {
      await start();
      const principal = opts.actor.apiKey ? `key:${opts.actor.apiKey.id}` : `user:${opts.actor.id}`;
      if (subscribers.size >= options.maxStreams) {
        throw busy(`This server holds its most event streams (${options.maxStreams})`);
      }
      const open = [...subscribers].filter((s) => s.principal === principal).length;
      if (open >= options.maxStreamsPerUser) {
        throw tooManyRequests(
          `At most ${options.maxStreamsPerUser} event streams at once per user or key`,
          5,
        );
      }
      const accept = (row: EventRow) =>
        (!opts.types || opts.types.includes(TYPE_OF[row.action])) &&
        (!opts.taskId || row.taskId === opts.taskId.toLowerCase()) &&
        canSee(opts.actor, row.task as Pick<Task, "assigneeId" | "createdById">);
      const sub: Subscriber = { principal, accept, queue: [], dropped: false, wake: null };
      // The place is taken before anything is awaited, so that streams opened together count each other. What is
      // dispatched from here on waits in the queue; positions the stream reads from the table are skipped there.
      const others = subscribers.size;
      subscribers.add(sub);
      let after: number;
      try {
        // "From now": every event committed before this call is numbered, and counts as seen.
        await numberCommitted();
        const now = await currentPosition();
        if (others === 0) latest = now;
        after = now;
        if (opts.lastEventId !== undefined) {
          const [found] = await db
            .select({ position: events.position })
            .from(events)
            .where(eq(events.logId, opts.lastEventId.toLowerCase()));
          if (!found) throw fieldError("lastEventId", "no event has this id");
          after = found.position;
        }
      } catch (err) {
        subscribers.delete(sub);
        throw err;
      }
      let reading = false;
      opts.signal?.addEventListener("abort", () => {
        if (!reading) subscribers.delete(sub);
      });
      return (async function* () {
        reading = true;
        try {
          let last = after;
          if (after < latest) {
            let rows: EventRow[];
            do {
              rows = await readAfter(last);
              for (const row of rows) {
                last = row.position;
                if (accept(row)) yield eventOf(row);
              }
            } while (rows.length === PAGE && !opts.signal?.aborted);
          }
          let checkedAt = Date.now();
          while (!opts.signal?.aborted) {
            // Taken whole (shift() on a long queue would copy it once per event).
            const waiting = sub.queue;
            sub.queue = [];
            for (const row of waiting) {
              if (row.position <= last) continue;
              last = row.position;
              yield eventOf(row);
            }
            if (sub.dropped) {
              throw new TRPCError({
                code: "TOO_MANY_REQUESTS",
                message: `The stream fell more than ${options.maxQueued} events behind and was closed; reconnect with the last event id`,
              });
            }
            if (Date.now() - checkedAt >= options.recheckMs) {
              checkedAt = Date.now();
              if (!(await opts.stillAuthorized()))
                throw unauthorized("Session ended, key revoked or user deactivated");
              continue;
            }
            await new Promise<void>((resolve) => {
              const timeout = setTimeout(finish, options.recheckMs);
              function finish() {
                clearTimeout(timeout);
                sub.wake = null;
                opts.signal?.removeEventListener("abort", finish);
                resolve();
              }
              sub.wake = finish;
              opts.signal?.addEventListener("abort", finish, { once: true });
            });
          }
        } finally {
          subscribers.delete(sub);
        }
      })();
    },
  };
}

import { type Database, unavailableCode } from "@taskmgr/db";
import { type SweepResult, sweepOverdue } from "@taskmgr/db/task-store";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { reportOutages } from "./outages";
import {
  createSweepQueue,
  createSweepWorker,
  QueueEvents,
  SWEEP_JOB,
  scheduleSweep,
  sweepThroughQueue,
} from "./queue";

export interface SweeperOptions {
  database: Database;
  logger: Logger;
  redisUrl?: string | undefined;
  intervalSeconds: number;
  /** Tasks per sweep transaction (OVERDUE_SWEEP_BATCH_SIZE). */
  batchSize: number;
  /** Run the scheduled sweeps in this process (a worker), or only enqueue them (a server whose worker runs elsewhere). */
  runSweepsHere: boolean;
  queuePrefix?: string | undefined;
  /** How long POST /admin/overdue-sweep waits for a queued sweep. */
  runNowTimeoutMs?: number;
}

export interface Sweeper {
  /** Runs one sweep now and returns its result: through the queue with Redis, directly without. */
  runNow(): Promise<SweepResult>;
  /** Stops taking work, lets a running sweep finish (bounded), and closes its connections. */
  stop(timeoutMs?: number): Promise<void>;
  /** The BullMQ queue the sweeps go through, with Redis (the admin's queue dashboard shows it). */
  queue?: Queue;
}

/**
 * A sweep that met no database is a warning naming the connection error, without the statement (it is retried
 * and says nothing new each time); any other failure is an error with all it carries.
 */
function logSweepFailure(logger: Logger, err: unknown, job: { job?: string; attempts?: number } = {}): void {
  const code = unavailableCode(err);
  if (code) {
    logger.warn({ ...job, code }, "overdue sweep: database unavailable; it will run again");
  } else {
    logger.error({ ...job, err }, "overdue sweep failed");
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref())]);

/** The sweep's settings from the environment the server and the worker share (sharedEnv in @taskmgr/db). */
export function sweepSettings(env: {
  REDIS_URL?: string | undefined;
  OVERDUE_SWEEP_INTERVAL_SECONDS: number;
  OVERDUE_SWEEP_BATCH_SIZE: number;
  QUEUE_PREFIX?: string | undefined;
}): Pick<SweeperOptions, "redisUrl" | "intervalSeconds" | "batchSize" | "queuePrefix"> {
  return {
    redisUrl: env.REDIS_URL,
    intervalSeconds: env.OVERDUE_SWEEP_INTERVAL_SECONDS,
    batchSize: env.OVERDUE_SWEEP_BATCH_SIZE,
    queuePrefix: env.QUEUE_PREFIX,
  };
}

/** The overdue sweep, scheduled: on BullMQ when Redis is configured, else on an in-process timer. */
export async function startSweeper(options: SweeperOptions): Promise<Sweeper> {
  const { database, logger, intervalSeconds } = options;
  // Aborted by stop(): a running sweep ends after its current batch instead of holding the shutdown.
  const stopping = new AbortController();
  const sweepAndLog = async (trigger: string): Promise<SweepResult> => {
    const started = performance.now();
    const result = await sweepOverdue(database.db, {
      batchSize: options.batchSize,
      signal: stopping.signal,
      afterBatch: (marked) => logger.debug({ trigger, marked }, "overdue sweep: batch committed"),
    });
    logger.info({ trigger, ...result, ms: Math.round(performance.now() - started) }, "overdue sweep");
    return result;
  };

  if (!options.redisUrl) {
    let running: Promise<unknown> = Promise.resolve();
    let busy = false;
    const timer = options.runSweepsHere
      ? setInterval(() => {
          if (busy) return; // a slow sweep is not overlapped by the next tick
          busy = true;
          running = sweepAndLog("timer")
            .catch((err) => logSweepFailure(logger, err))
            .finally(() => {
              busy = false;
            });
        }, intervalSeconds * 1000)
      : null;
    timer?.unref();
    return {
      runNow: () => sweepAndLog("request"),
      async stop(timeoutMs = 8000) {
        stopping.abort();
        if (timer) clearInterval(timer);
        await withTimeout(running, timeoutMs);
      },
    };
  }

  const prefix = options.queuePrefix;
  // Producers fail fast while Redis is away; the worker's connection waits for it (BullMQ requires that).
  const producer = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
  const eventsConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  reportOutages(producer, logger, "sweep producer");
  reportOutages(eventsConnection, logger, "sweep events");
  const queue = createSweepQueue({ connection: producer, prefix });
  queue.on("error", () => {}); // reported once per outage by its connection
  const events = new QueueEvents(queue.name, { connection: eventsConnection, prefix: prefix ?? "bull" });
  events.on("error", () => {});

  let workerConnection: Redis | null = null;
  let stopRegistering = () => {};
  let worker: ReturnType<typeof createSweepWorker> | null = null;
  if (options.runSweepsHere) {
    workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    reportOutages(workerConnection, logger, "sweep worker");
    worker = createSweepWorker({ connection: workerConnection, prefix }, (name) =>
      sweepAndLog(name === SWEEP_JOB ? "schedule" : "request"),
    );
    worker.on("failed", (job, err) =>
      logSweepFailure(logger, err, { job: job?.id, attempts: job?.attemptsMade }),
    );
    worker.on("error", (err) => {
      if (!/ECONNREFUSED|ECONNRESET|Connection is closed/.test(err.message))
        logger.warn({ err: err.message }, "sweep worker");
    });
    // Upserting is idempotent, so doing it on every (re)connect of the queue's connection restores a schedule
    // that a Redis without persistence lost, and costs nothing otherwise. A failed attempt retries.
    let retry: NodeJS.Timeout | undefined;
    const register = async (): Promise<void> => {
      clearTimeout(retry);
      try {
        await scheduleSweep(queue, intervalSeconds);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, "could not register the sweep schedule; retrying");
        retry = setTimeout(() => void register(), 1000);
        retry.unref();
      }
    };
    producer.on("ready", () => void register());
    stopRegistering = () => clearTimeout(retry);
    await register();
  }

  return {
    queue,
    runNow: () => sweepThroughQueue(queue, events, options.runNowTimeoutMs ?? 30_000),
    async stop(timeoutMs = 8000) {
      stopping.abort();
      stopRegistering();
      producer.removeAllListeners("ready");
      if (worker) {
        const closed = await withTimeout(worker.close(), timeoutMs);
        if (closed === "timeout")
          logger.warn("a sweep batch was still running at shutdown; that batch rolls back");
      }
      await withTimeout(Promise.allSettled([events.close(), queue.close()]), 2000);
      for (const connection of [producer, eventsConnection, workerConnection]) connection?.disconnect();
    },
  };
}

import type { SweepResult } from "@taskmgr/db/task-store";
import { Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";

export const QUEUE_NAME = "maintenance";
export const SWEEP_JOB = "overdue-sweep";
export const SWEEP_SCHEDULER_ID = "overdue-sweep-schedule";

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
} as const;

export interface QueueOptions {
  connection: Redis;
  /** Redis key prefix; separate prefixes keep separate deployments (and tests) apart. */
  prefix?: string;
}

export function createSweepQueue({ connection, prefix }: QueueOptions): Queue {
  return new Queue(QUEUE_NAME, { connection, prefix: prefix ?? "bull", defaultJobOptions: JOB_OPTIONS });
}

/**
 * One schedule for every process: the scheduler's id is fixed, so upserting it again (from every worker that
 * starts) replaces it, and BullMQ makes one job per period however many workers there are.
 */
export async function scheduleSweep(queue: Queue, intervalSeconds: number): Promise<void> {
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: Math.round(intervalSeconds * 1000) },
    { name: SWEEP_JOB, data: {}, opts: JOB_OPTIONS },
  );
}

export function createSweepWorker(
  { connection, prefix }: QueueOptions,
  run: (jobName: string) => Promise<SweepResult>,
): Worker<unknown, SweepResult> {
  return new Worker<unknown, SweepResult>(QUEUE_NAME, (job) => run(job.name), {
    connection,
    prefix: prefix ?? "bull",
    concurrency: 1,
    autorun: true,
  });
}

/** Runs a sweep now through the queue and waits for its result. */
export async function sweepThroughQueue(
  queue: Queue,
  events: QueueEvents,
  timeoutMs: number,
): Promise<SweepResult> {
  const job = await queue.add(`${SWEEP_JOB}-now`, {}, { ...JOB_OPTIONS, attempts: 1 });
  return (await job.waitUntilFinished(events, timeoutMs)) as SweepResult;
}

export { Queue, QueueEvents, Worker };

import type { Database } from "@taskmgr/db";
import { reportOutages, startSweeper, sweepSettings } from "@taskmgr/worker";
import { Redis } from "ioredis";
import type { Config } from "./config";
import type { AppDeps } from "./deps";
import type { Logger } from "./logger";
import { createServices, type Services } from "./services";

export interface Runtime {
  deps: AppDeps;
  services: Services;
  stop(): Promise<void>;
}

const IDEMPOTENCY_PURGE_INTERVAL_SECONDS = 600;

/** Runs work every `seconds`, one run at a time; stop() waits for a run in progress. Keeps no process alive. */
function repeat(seconds: number, work: () => Promise<unknown>, onError: (err: unknown) => void) {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= work()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Connects what the app needs beyond the database (Redis, the sweep) and creates the first admin.
 * Returns null when start-up must stop.
 */
export async function startServices(base: {
  config: Config;
  database: Database;
  logger: Logger;
}): Promise<Runtime | null> {
  const { config, logger, database } = base;
  let redis: Redis | null = null;
  if (config.REDIS_URL) {
    // Fails fast while Redis is away: the API keeps serving, /readyz says why, the login limiter falls back.
    redis = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
    });
    reportOutages(redis, logger, "api");
  }
  const sweeper = await startSweeper({
    database,
    logger,
    ...sweepSettings(config),
    runSweepsHere: config.RUN_WORKER,
  });
  const deps: AppDeps = { ...base, redis, sweeper };
  const services = createServices(deps);
  // Rows counted before the latest task write can never be served again; without this they stay until the
  // cache is full. On every replica: each purge is one DELETE, and concurrent ones do not conflict.
  const countCachePurge = repeat(
    config.TASK_COUNT_CACHE_PURGE_INTERVAL_SECONDS,
    () => services.taskCounts.purgeStale(),
    (err) => logger.warn({ err: (err as Error).message }, "task count cache purge failed"),
  );
  // Idempotency answers past their 24 h: replaced when their key is used again, dropped here otherwise.
  const idempotencyPurge = repeat(
    IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
    () => services.idempotency.purgeExpired(),
    (err) => logger.warn({ err: (err as Error).message }, "idempotency key purge failed"),
  );
  const stop = async () => {
    await services.events.stop();
    await idempotencyPurge.stop();
    await countCachePurge.stop();
    await sweeper.stop(8000);
    redis?.disconnect();
  };
  try {
    const result = await services.users.bootstrapAdmin({
      username: config.ADMIN_USERNAME,
      password: config.ADMIN_PASSWORD,
      production: config.isProduction,
    });
    if (result.generatedPassword) {
      // Printed once, to the terminal, not through the logger (logs are kept; this must not be).
      process.stdout.write(
        `\n  First admin created: username "${config.ADMIN_USERNAME}", password "${result.generatedPassword}"\n  It will not be shown again.\n\n`,
      );
    } else if (result.created) {
      logger.info({ username: config.ADMIN_USERNAME }, "first admin created from ADMIN_PASSWORD");
    }
  } catch (err) {
    logger.fatal((err as Error).message);
    await stop();
    return null;
  }
  return { deps, services, stop };
}

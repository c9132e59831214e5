import type { Database } from "@taskmgr/db";
import { startSweeper } from "@taskmgr/worker";
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
    let down = false;
    redis.on("error", (err) => {
      if (!down) logger.warn({ err: err.message }, "redis unavailable; reconnecting");
      down = true;
    });
    redis.on("ready", () => {
      if (down) logger.info("redis reconnected");
      down = false;
    });
  }
  const sweeper = await startSweeper({
    database,
    logger,
    redisUrl: config.REDIS_URL,
    intervalSeconds: config.OVERDUE_SWEEP_INTERVAL_SECONDS,
    process: config.RUN_WORKER,
    queuePrefix: config.QUEUE_PREFIX,
  });
  const deps: AppDeps = { ...base, redis, sweeper };
  const services = createServices(deps);
  const stop = async () => {
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

import type { Database } from "@taskmgr/db";
import type { Config } from "./config";
import type { AppDeps } from "./deps";
import type { Logger } from "./logger";
import { createServices, type Services } from "./services";

export interface Runtime {
  deps: AppDeps;
  services: Services;
  stop(): Promise<void>;
}

/** Connects what the app needs beyond the database and creates the first admin; null when start-up must stop. */
export async function startServices(base: {
  config: Config;
  database: Database;
  logger: Logger;
}): Promise<Runtime | null> {
  const { config, logger } = base;
  const deps: AppDeps = { ...base, redis: null };
  const services = createServices(deps);
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
    return null;
  }
  return { deps, services, stop: async () => {} };
}

import type { Database } from "@taskmgr/db";
import type { Config } from "./config";
import type { AppDeps } from "./deps";
import type { Logger } from "./logger";

export interface Runtime {
  deps: AppDeps;
  stop(): Promise<void>;
}

/** Connects what the app needs beyond the database; returns null when start-up must stop. */
export async function startServices(base: {
  config: Config;
  database: Database;
  logger: Logger;
}): Promise<Runtime | null> {
  return {
    deps: { ...base, redis: null },
    stop: async () => {},
  };
}

import type { Database } from "@taskmgr/db";
import type { Redis } from "ioredis";
import type { Config } from "./config";
import type { Logger } from "./logger";

/** What the app is built from; main.ts makes them, tests make their own. */
export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  redis?: Redis | null;
}

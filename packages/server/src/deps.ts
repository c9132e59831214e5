import type { Database } from "@taskmgr/db";
import type { Sweeper } from "@taskmgr/worker";
import type { Redis } from "ioredis";
import type { Config } from "./config";
import type { Logger } from "./logger";

/** What the app is built from; main.ts makes them, tests make their own. */
export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  redis?: Redis | null;
  /** Runs the overdue sweep on demand (through the queue when Redis is configured). */
  sweeper: Pick<Sweeper, "runNow" | "queue">;
  /** The console's built files; unset: the @taskmgr/console package's dist, if it was built. */
  consoleDir?: string | null;
}

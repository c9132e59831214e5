import { createDb, migrate } from "@taskmgr/db";
import { pino } from "pino";
import { loadWorkerConfig } from "./config";
import { startSweeper, sweepSettings } from "./runtime";

// The worker process: start-up and shutdown only.
let config: ReturnType<typeof loadWorkerConfig>;
try {
  config = loadWorkerConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
if (!config.DATABASE_URL) {
  // The embedded database serves one process: the server, which runs the sweep itself on that default.
  console.error(
    "DATABASE_URL: required for a separate worker. On the embedded database (PGlite) the server runs the sweep " +
      "itself and no other process may open its data directory; run only the server, or set DATABASE_URL (and " +
      "REDIS_URL) to run workers beside it.",
  );
  process.exit(1);
}
const logger = pino({ level: config.LOG_LEVEL, base: { process: "worker" } });
const database = await createDb({
  databaseUrl: config.DATABASE_URL,
  dataDir: config.DATA_DIR,
  poolSize: config.DB_POOL_SIZE,
  prepare: config.DB_PREPARE,
});
await migrate(database);
const sweeper = await startSweeper({ database, logger, ...sweepSettings(config), runSweepsHere: true });
logger.info(
  { every: config.OVERDUE_SWEEP_INTERVAL_SECONDS, queue: config.REDIS_URL ? "bullmq" : "timer" },
  "worker started",
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await sweeper.stop(8000);
  await database.close();
  logger.info("worker stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

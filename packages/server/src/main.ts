import { serve } from "@hono/node-server";
import { createDb, DataDirInUseError, migrate } from "@taskmgr/db";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startServices } from "./start-services";

// Process start-up and shutdown only.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.LOG_LEVEL);
const dbOptions = {
  databaseUrl: config.DATABASE_URL,
  dataDir: config.DATA_DIR,
  poolSize: config.DB_POOL_SIZE,
  prepare: config.DB_PREPARE,
};
async function openDatabase() {
  // Migrations run on a pool of their own without the statement timeout: building an index on a large table
  // may take longer than any request should.
  if (config.DATABASE_URL && config.DB_STATEMENT_TIMEOUT_MS > 0) {
    const migrating = await createDb({ ...dbOptions, poolSize: 2 });
    try {
      await migrate(migrating);
    } finally {
      await migrating.close();
    }
  }
  const opened = await createDb({ ...dbOptions, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
  if (!(config.DATABASE_URL && config.DB_STATEMENT_TIMEOUT_MS > 0)) await migrate(opened);
  return opened;
}
let database: Awaited<ReturnType<typeof openDatabase>>;
try {
  database = await openDatabase();
} catch (err) {
  // Another process has the embedded database: one line saying which and what to do, not a stack.
  if (err instanceof DataDirInUseError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
logger.info({ database: database.kind }, "database ready");

const runtime = await startServices({ config, database, logger });
if (!runtime) process.exit(1);
const app = createApp(runtime.deps, runtime.services);
const server = serve(
  {
    fetch: app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    serverOptions: {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeout:
        Math.min(config.HTTP_HEADERS_TIMEOUT_SECONDS, config.HTTP_REQUEST_TIMEOUT_SECONDS) * 1000,
      // How often Node enforces the two timeouts above (its default, 30 s, would let them run long).
      connectionsCheckingInterval: 1000,
    },
  },
  (info) => {
    logger.info({ port: info.port, pid: process.pid }, `listening on http://localhost:${info.port}`);
  },
);

let stopping = false;
// While stopping, every response closes its connection, so keep-alive clients cannot hold the server open.
server.on("request", (_req, res) => {
  if (stopping) res.setHeader("Connection", "close");
});
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  const force = setTimeout(() => {
    logger.error("shutdown took longer than 10 s; exiting");
    process.exit(1);
  }, 10_000);
  force.unref();
  // In-flight requests finish; idle keep-alive connections are closed as soon as they become idle.
  const idle = setInterval(
    () => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.(),
    100,
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearInterval(idle);
  await runtime?.stop();
  await database.close();
  logger.info("bye");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

import type { AppDeps } from "../deps";
import { createApiKeys } from "./api-keys";
import { createCallBudget } from "./call-budget";
import { createEventHub } from "./events";
import { createIdempotency } from "./idempotency";
import { createCursorCodec } from "./keyset";
import { createLoginLimiter } from "./login-limiter";
import { createPasswords } from "./passwords";
import { createTaskCounts } from "./task-counts";
import { createTaskQueries } from "./task-queries";
import { createTaskWrites } from "./task-writes";
import { createTokens } from "./tokens";
import { createUsers } from "./users";

export type Services = ReturnType<typeof createServices>;

/** The domain services, built once per app from its dependencies. */
export function createServices(deps: Pick<AppDeps, "config" | "database" | "redis" | "logger">) {
  const passwords = createPasswords({
    concurrency: deps.config.HASH_CONCURRENCY,
    maxQueued: deps.config.HASH_MAX_QUEUED,
  });
  const budget = createCallBudget(deps.config, deps.redis);
  const tokens = createTokens(deps.config, deps.database);
  const limiter = createLoginLimiter(deps.config, deps.redis);
  const cursors = createCursorCodec(deps.config.JWT_SECRET);
  const users = createUsers({ database: deps.database, passwords, tokens, limiter, cursors });
  const events = createEventHub(deps.database, {
    pollMs: deps.config.EVENTS_POLL_MS,
    maxQueued: deps.config.EVENTS_MAX_QUEUED,
    maxStreamsPerUser: deps.config.EVENTS_MAX_STREAMS_PER_USER,
    maxStreams: deps.config.EVENTS_MAX_STREAMS,
    recheckMs: deps.config.EVENTS_RECHECK_SECONDS * 1000,
  });
  const taskWrites = createTaskWrites(deps.database, { maxTasks: deps.config.BULK_MAX_TASKS }, () =>
    events.poke(),
  );
  const apiKeys = createApiKeys(deps.database, cursors);
  const idempotency = createIdempotency(deps.database, deps.config.IDEMPOTENCY_TTL_SECONDS);
  const taskCounts = createTaskCounts(deps.database, { maxRows: deps.config.TASK_COUNT_CACHE_MAX_ROWS });
  const taskQueries = createTaskQueries(deps.database, cursors, taskCounts);
  return {
    passwords,
    tokens,
    limiter,
    budget,
    users,
    apiKeys,
    idempotency,
    events,
    taskWrites,
    taskQueries,
    taskCounts,
  };
}

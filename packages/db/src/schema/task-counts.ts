import { bigint, pgTable, smallint, text } from "drizzle-orm/pg-core";

/**
 * The task write version: the sum of `n` over these rows grows by one in the same transaction as every
 * statement that changes tasks (statement triggers in migration 0003). Spread over 16 rows so that
 * concurrent writers rarely wait on the same row lock.
 */
export const taskWriteVersions = pgTable("task_write_versions", {
  shard: smallint("shard").primaryKey(),
  n: bigint("n", { mode: "number" }).notNull().default(0),
});

/**
 * Exact task counts per (visibility scope, filters), each valid while the write version it was counted at is
 * still the current one. UNLOGGED (migration 0003): a cache that a crash may empty.
 */
export const taskCountCache = pgTable("task_count_cache", {
  key: text("key").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
  n: bigint("n", { mode: "number" }).notNull(),
});

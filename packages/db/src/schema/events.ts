import { bigint, jsonb, pgTable, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";

/**
 * Activity-log entries not yet numbered as events: a trigger on activity_log (migration 0009) adds one row per
 * entry, with the task as the change left it, in the change's own transaction. The relay moves them to events.
 */
export const eventOutbox = pgTable("event_outbox", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  logId: uuid("log_id").notNull(),
  task: jsonb("task"),
});

/**
 * Every event, numbered in the order the relay found it committed (task-store/events.ts): a stream resumes by
 * `position`, which a later commit can never take below one already read.
 */
export const events = pgTable("events", {
  position: bigint("position", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  logId: uuid("log_id").notNull().unique(),
  task: jsonb("task"),
  recordedAt: timestamptz("recorded_at").notNull().defaultNow(),
});

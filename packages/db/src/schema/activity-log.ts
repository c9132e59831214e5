import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, uuid, varchar } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";
import { logActionEnum } from "./enums";
import { users } from "./users";

/**
 * Append-only history. task_id has no foreign key on purpose: a task's history outlives the task.
 * seq orders entries written in the same transaction (they share created_at).
 */
export const activityLog = pgTable(
  "activity_log",
  {
    // Time-ordered (UUID v7, migration 0004): new entries land at the index's right edge, not on a random page.
    id: uuid("id").primaryKey().default(sql`uuid_v7()`),
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull(),
    taskId: uuid("task_id").notNull(),
    actorId: uuid("actor_id").references(() => users.id),
    action: logActionEnum("action").notNull(),
    field: varchar("field", { length: 64 }),
    oldValue: jsonb("old_value"),
    newValue: jsonb("new_value"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("activity_log_created_at_idx").on(t.createdAt, t.seq),
    index("activity_log_task_idx").on(t.taskId, t.createdAt, t.seq),
    index("activity_log_actor_idx").on(t.actorId, t.createdAt, t.seq),
    index("activity_log_action_idx").on(t.action, t.createdAt),
  ],
);

export type ActivityLogRow = typeof activityLog.$inferSelect;

import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uuid, varchar } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";
import { taskPriorityEnum, taskStatusEnum } from "./enums";
import { users } from "./users";

export const tasks = pgTable(
  "tasks",
  {
    // Time-ordered (migration 0006): new tasks append to the primary key, and id order follows created_at.
    id: uuid("id").primaryKey().default(sql`uuid_v7()`),
    title: varchar("title", { length: 200 }).notNull(),
    description: text("description").notNull().default(""),
    status: taskStatusEnum("status").notNull().default("PENDING"),
    priority: taskPriorityEnum("priority").notNull().default("MEDIUM"),
    dueDate: timestamptz("due_date"),
    assigneeId: uuid("assignee_id").references(() => users.id),
    createdById: uuid("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    completedAt: timestamptz("completed_at"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("tasks_created_at_idx").on(t.createdAt, t.id),
    index("tasks_updated_at_idx").on(t.updatedAt, t.id),
    index("tasks_due_date_idx").on(t.dueDate, t.id),
    // Keyed like the orderings they serve (status or priority, then id), so a cursor page is an index seek.
    index("tasks_status_idx").on(t.status, t.id),
    index("tasks_priority_idx").on(t.priority, t.id),
    index("tasks_assignee_idx").on(t.assigneeId, t.createdAt),
    index("tasks_created_by_idx").on(t.createdById, t.createdAt),
    index("tasks_title_idx").on(t.title, t.id),
    // Serves the overdue sweep: only tasks it may still mark are in it.
    index("tasks_overdue_candidates_idx")
      .on(t.dueDate)
      .where(sql`${t.status} in ('PENDING', 'IN_PROGRESS') and ${t.dueDate} is not null`),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;

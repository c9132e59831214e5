import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";
import { roleEnum } from "./enums";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: varchar("username", { length: 150 }).notNull(),
    email: varchar("email", { length: 254 }),
    passwordHash: text("password_hash").notNull(),
    role: roleEnum("role").notNull().default("INTERN"),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_username_lower_key").on(sql`lower(${t.username})`),
    index("users_role_idx").on(t.role, t.isActive),
  ],
);

export type UserRow = typeof users.$inferSelect;

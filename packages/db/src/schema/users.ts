import { type SQL, sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";
import { roleEnum, userKindEnum } from "./enums";

/**
 * What makes two usernames the same: NFKC (fullwidth and mathematical letters become plain ones), then
 * lower-cased. PostgreSQL computes it both for the stored key and for a login's lookup, so the two cannot disagree
 * (JavaScript lower-cases İ to "i̇", PostgreSQL to "i").
 */
export const usernameKeyOf = (username: SQL | string): SQL => sql`lower(normalize(${username}, NFKC))`;

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // As entered, in NFKC (the contract normalises it): what every answer shows.
    username: varchar("username", { length: 150 }).notNull(),
    usernameKey: text("username_key")
      .notNull()
      .generatedAlwaysAs((): SQL => usernameKeyOf(sql`${users.username}`)),
    // The UTS #39 skeleton of username_key, which the server computes (services/usernames.ts). Null on a row
    // written without it (before migration 0007, a seed, a fixture) until the next user is created.
    usernameSkeleton: text("username_skeleton"),
    email: varchar("email", { length: 254 }),
    passwordHash: text("password_hash").notNull(),
    role: roleEnum("role").notNull().default("INTERN"),
    isActive: boolean("is_active").notNull().default(true),
    kind: userKindEnum("kind").notNull().default("PERSON"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_username_key_key").on(t.usernameKey),
    // Two users may not look alike either.
    uniqueIndex("users_username_skeleton_key").on(t.usernameSkeleton),
    index("users_role_idx").on(t.role, t.isActive),
  ],
);

export type UserRow = typeof users.$inferSelect;

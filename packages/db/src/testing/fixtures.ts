import { randomBytes } from "node:crypto";
import type { Database } from "../client";
import { tasks, users } from "../schema";

/** An admin to own tasks inserted straight into the table. */
export async function makeOwner(database: Pick<Database, "db">): Promise<string> {
  const [row] = await database.db
    .insert(users)
    .values({ username: `owner_${randomBytes(4).toString("hex")}`, passwordHash: "x", role: "ADMIN" })
    .returning();
  return row!.id;
}

/** Tasks inserted straight into the table (no log entries): the state a test starts from. */
export function insertTasks(
  database: Pick<Database, "db">,
  createdById: string,
  specs: Array<{
    status?: "PENDING" | "IN_PROGRESS" | "COMPLETED" | "OVERDUE";
    dueDate: Date | null;
    title?: string;
  }>,
) {
  return database.db
    .insert(tasks)
    .values(
      specs.map((s, i) => ({
        title: s.title ?? `t${i}`,
        status: s.status ?? "PENDING",
        dueDate: s.dueDate,
        createdById,
      })),
    )
    .returning();
}

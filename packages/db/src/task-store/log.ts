import { sql } from "drizzle-orm";
import type { Executor } from "../client";
import { activityLog } from "../schema";

/** One activity-log entry as a change writes it: the id, seq and (unless given) the time are the database's. */
export type NewLogEntry = Pick<
  typeof activityLog.$inferInsert,
  "taskId" | "actorId" | "action" | "field" | "oldValue" | "newValue" | "createdAt"
>;

const COLUMNS = [
  ["taskId", activityLog.taskId],
  ["actorId", activityLog.actorId],
  ["action", activityLog.action],
  ["field", activityLog.field],
  ["oldValue", activityLog.oldValue],
  ["newValue", activityLog.newValue],
  ["createdAt", activityLog.createdAt],
] as const;

const names = sql.join(
  COLUMNS.map(([, c]) => sql.identifier(c.name)),
  sql`, `,
);
// An entry without a time takes the transaction's, as the column's default would.
const selected = sql.join(
  COLUMNS.map(([, c]) =>
    c === activityLog.createdAt ? sql`coalesce(${sql.identifier(c.name)}, now())` : sql.identifier(c.name),
  ),
  sql`, `,
);
const definitions = sql.join(
  COLUMNS.map(([, c]) => sql`${sql.identifier(c.name)} ${sql.raw(c.getSQLType())}`),
  sql`, `,
);

/**
 * The one function that writes activity-log entries: every change to a task calls it inside the change's own
 * transaction (task-store/writes.ts and the overdue sweep), so an entry exists exactly when its change does.
 *
 * The entries travel as one JSON document, whatever their number: the statement's text never changes (one
 * prepared statement, where a multi-row VALUES would prepare one per row count) and a sweep batch of thousands
 * of entries stays far from PostgreSQL's 65,535 parameters.
 */
export async function writeLogEntries(db: Executor, entries: readonly NewLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const document = entries.map((e) => {
    // A missing key reads as SQL NULL (a JSON null would read as the jsonb value null).
    const row: Record<string, unknown> = {};
    for (const [key, column] of COLUMNS) {
      const value = e[key];
      if (value !== null && value !== undefined)
        row[column.name] = value instanceof Date ? value.toISOString() : value;
    }
    return row;
  });
  await db.execute(sql`
    insert into ${activityLog} (${names})
    select ${selected} from jsonb_to_recordset(${JSON.stringify(document)}::jsonb) as entry(${definitions})`);
}

import { type SQL, sql } from "drizzle-orm";
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
const fromDocument = sql.join(
  COLUMNS.map(([, c]) =>
    c === activityLog.createdAt ? sql`coalesce(${sql.identifier(c.name)}, now())` : sql.identifier(c.name),
  ),
  sql`, `,
);
const definitions = sql.join(
  COLUMNS.map(([, c]) => sql`${sql.identifier(c.name)} ${sql.raw(c.getSQLType())}`),
  sql`, `,
);

/** Entries computed in SQL: each column's expression over the rows of `from` (a table or a CTE's name). */
export interface LogEntriesFrom {
  from: SQL;
  select: { [K in keyof Required<NewLogEntry>]: SQL };
}

/**
 * The one function that writes activity-log entries: every change to a task runs the statement it returns
 * inside the change's own transaction (task-store/writes.ts and the overdue sweep), so an entry exists exactly
 * when its change does. Search for it to find every place an entry is written.
 *
 * Given entries, they travel as one JSON document, whatever their number: the statement's text never changes
 * (one prepared statement, where a multi-row VALUES would prepare one per row count). Given `LogEntriesFrom`,
 * the entries are computed where the rows are (the sweep writes thousands per batch in its own statement,
 * with no round trip through this process).
 */
export function insertLogEntries(source: readonly NewLogEntry[] | LogEntriesFrom): SQL {
  if (!Array.isArray(source)) {
    const from = source as LogEntriesFrom;
    const selected = sql.join(
      COLUMNS.map(([key]) => from.select[key]),
      sql`, `,
    );
    return sql`insert into ${activityLog} (${names}) select ${selected} from ${from.from}`;
  }
  const document = (source as readonly NewLogEntry[]).map((e) => {
    // A missing key reads as SQL NULL (a JSON null would read as the jsonb value null).
    const row: Record<string, unknown> = {};
    for (const [key, column] of COLUMNS) {
      const value = e[key];
      if (value !== null && value !== undefined)
        row[column.name] = value instanceof Date ? value.toISOString() : value;
    }
    return row;
  });
  return sql`
    insert into ${activityLog} (${names})
    select ${fromDocument} from jsonb_to_recordset(${JSON.stringify(document)}::jsonb) as entry(${definitions})`;
}

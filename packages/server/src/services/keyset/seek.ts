// The keyset SQL: a list's sort keys, its ORDER BY, and the condition for the rows past a cursor's values,
// split into index seeks where one index cannot read the order (seekParts). No HTTP, no cursors' encoding.
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

export interface SortKey {
  /** The row's property holding the key's value: a cursor is made of these (page.ts). */
  field: string;
  column: PgColumn;
  desc: boolean;
  /** Nullable keys sort their nulls last, whichever the direction. */
  nullable: boolean;
  /** How the key's value travels in a cursor: dates as ISO strings. */
  kind: "date" | "value";
  /** Every value the key can take, in ascending order, when they are few (an enum): see seekParts. */
  values?: readonly string[];
}

/** ORDER BY for the keys (the last one must be unique: an id or a sequence). */
export function orderSql(keys: readonly SortKey[]): SQL[] {
  return keys.map((k) => {
    if (k.nullable) return k.desc ? sql`${k.column} desc nulls last` : sql`${k.column} asc nulls last`;
    return k.desc ? desc(k.column) : asc(k.column);
  });
}

/** Rows strictly after `values` in the keys' order. */
export function seekAfter(keys: readonly SortKey[], values: readonly unknown[]): SQL {
  const uniform = keys.every((k) => !k.nullable && k.desc === keys[0]!.desc);
  if (uniform) {
    // A row-value comparison: PostgreSQL seeks straight to it on the matching index.
    const columns = sql.join(
      keys.map((k) => sql`${k.column}`),
      sql`, `,
    );
    const params = sql.join(
      keys.map((k, i) => sql.param(values[i], k.column)),
      sql`, `,
    );
    return keys[0]!.desc ? sql`(${columns}) < (${params})` : sql`(${columns}) > (${params})`;
  }
  const terms: SQL[] = [];
  const equalSoFar: SQL[] = [];
  keys.forEach((k, i) => {
    const v = values[i];
    if (v !== null) {
      const beyond = k.desc ? lt(k.column, v) : gt(k.column, v);
      terms.push(and(...equalSoFar, k.nullable ? or(beyond, isNull(k.column)) : beyond)!);
    }
    equalSoFar.push(v === null ? isNull(k.column) : eq(k.column, v));
  });
  // Implied by the terms, but an OR is no index range: this bound lets the first key's index start at the
  // cursor, and the planner sorts only the rows that tie on it (Incremental Sort) instead of every row.
  const [first] = keys;
  const v0 = values[0];
  const from =
    first && !first.nullable && v0 !== null
      ? first.desc
        ? lte(first.column, v0)
        : gte(first.column, v0)
      : undefined;
  return and(from, or(...terms) ?? sql`false`)!;
}

export interface SeekPart {
  keys: readonly SortKey[];
  seek: SQL | undefined;
}

/**
 * The rows past `values` (or from the start) as consecutive parts, each an index seek, for the orderings no
 * single index reads in order; undefined when the list's keys are one seek as they are.
 *
 * - A nullable first key (dueDate): nulls sort last in both directions, but an index on (due_date, id) read
 *   backwards yields them first, and "past the cursor, or null" is an OR no index can follow in order. So the
 *   rows with a value come first, by a seek that excludes nulls (their order is then plain asc/desc), and the
 *   null rows after, by the remaining keys.
 * - A first key of a few values (status, priority) followed by another field: one part per value from the
 *   cursor's on, each ordered by the remaining keys, which their own index reads in order (one value's rows
 *   are a quarter or a third of the table: sorting them is what this avoids).
 */
export function seekParts(
  keys: readonly SortKey[],
  values: readonly unknown[] | undefined,
): SeekPart[] | undefined {
  const [first, ...rest] = keys;
  if (!first) return undefined;
  const after = values?.slice(1);
  if (first.nullable && !rest.some((k) => k.nullable)) {
    const nulls = (from: readonly unknown[] | undefined) => within(isNull(first.column), rest, from);
    if (values && values[0] === null) return nulls(after);
    const valued = keys.map((k) => ({ ...k, nullable: false }));
    return [
      { keys: valued, seek: values ? seekAfter(valued, values) : isNotNull(first.column) },
      ...nulls(undefined),
    ];
  }
  if (first.values && rest.length > 1) {
    const order = first.desc ? [...first.values].reverse() : first.values;
    const from = values ? order.indexOf(values[0] as string) : 0;
    if (from < 0) return undefined;
    return order
      .slice(from)
      .flatMap((value, i) => within(eq(first.column, value), rest, i === 0 ? after : undefined));
  }
  return undefined;
}

/** The parts of `keys` past `values`, limited to the rows `condition` selects. */
function within(
  condition: SQL,
  keys: readonly SortKey[],
  values: readonly unknown[] | undefined,
): SeekPart[] {
  const parts = seekParts(keys, values) ?? [{ keys, seek: values ? seekAfter(keys, values) : undefined }];
  return parts.map((part) => ({ keys: part.keys, seek: and(condition, part.seek) }));
}

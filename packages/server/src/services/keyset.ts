import { createHash, createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import type { Page } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { pageRequest, toPage } from "./paging";

export interface SortKey {
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

interface CursorPayload {
  q: string;
  p: number;
  k: unknown[];
}

/** Signed, opaque cursors bound to the query that issued them. */
export function createCursorCodec(secret: string) {
  // A KeyObject made once: given the raw bytes, createHmac makes one on every call, 7× the cost of the HMAC.
  const key = createSecretKey(createHmac("sha256", secret).update("taskmgr cursor v1").digest());
  const sign = (body: string) => createHmac("sha256", key).update(body).digest("base64url").slice(0, 22);
  const bad = (why: string) => new TRPCError({ code: "BAD_REQUEST", message: `cursor: ${why}` });
  return {
    encode(payload: CursorPayload): string {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    decode(
      token: string,
      fingerprint: string,
      keys: readonly SortKey[],
    ): { page: number; values: unknown[] } {
      const [body, signature] = token.split(".");
      if (!body || !signature) throw bad("not a cursor this API issued");
      const expected = Buffer.from(sign(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given))
        throw bad("not a cursor this API issued");
      let payload: CursorPayload;
      try {
        payload = JSON.parse(Buffer.from(body, "base64url").toString()) as CursorPayload;
      } catch {
        throw bad("malformed");
      }
      if (payload.q !== fingerprint) {
        throw bad(
          "issued for another query; send the same filters, ordering and pageSize, or start again without it",
        );
      }
      if (!Array.isArray(payload.k) || payload.k.length !== keys.length) throw bad("malformed");
      const values = payload.k.map((v, i) =>
        keys[i]!.kind === "date" && typeof v === "string" ? new Date(v) : v,
      );
      return { page: payload.p, values };
    },
  };
}
export type CursorCodec = ReturnType<typeof createCursorCodec>;

/** A fingerprint of everything that decides a list's rows and their order (not the page). */
export function fingerprint(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

export interface KeysetListOptions<Row, Out> {
  codec: CursorCodec;
  keys: readonly SortKey[];
  query: { page?: number | undefined; pageSize: number; cursor?: string | undefined };
  /** Scope, filters and ordering: a cursor only continues the list it came from. */
  identity: unknown;
  /** Rows past `seek` in the order of `keys` (the list's keys, or a part's: see seekParts). */
  rows(seek: SQL | undefined, limit: number, offset: number, keys: readonly SortKey[]): Promise<Row[]>;
  count(): Promise<number>;
  keyValues(row: Row): unknown[];
  map(row: Row): Out;
}

/** One page of a list, by page number (OFFSET) or by cursor (keyset seek); either way with the next cursor. */
export async function keysetPage<Row, Out>(o: KeysetListOptions<Row, Out>): Promise<Page<Out>> {
  const q = fingerprint({ identity: o.identity, pageSize: o.query.pageSize });
  let paging = pageRequest(o.query);
  let cursorValues: unknown[] | undefined;
  if (o.query.cursor) {
    const cursor = o.codec.decode(o.query.cursor, q, o.keys);
    cursorValues = cursor.values;
    paging = { page: cursor.page + 1, pageSize: o.query.pageSize, offset: 0 };
  }
  // One row more than the page says whether another page follows, even while rows are being inserted.
  const limit = paging.pageSize + 1;
  const parts = paging.offset === 0 ? seekParts(o.keys, cursorValues) : undefined;
  const read = async () => {
    if (!parts) return o.rows(cursorValues && seekAfter(o.keys, cursorValues), limit, paging.offset, o.keys);
    const rows: Row[] = [];
    for (const part of parts) {
      if (rows.length < limit) rows.push(...(await o.rows(part.seek, limit - rows.length, 0, part.keys)));
    }
    return rows;
  };
  const [fetched, count] = await Promise.all([read(), o.count()]);
  const rows = fetched.slice(0, paging.pageSize);
  const last = rows.at(-1);
  const nextCursor =
    last !== undefined && fetched.length > paging.pageSize
      ? o.codec.encode({
          q,
          p: paging.page,
          k: o.keyValues(last).map((v) => (v instanceof Date ? v.toISOString() : v)),
        })
      : null;
  return toPage(rows.map(o.map), count, paging, nextCursor);
}

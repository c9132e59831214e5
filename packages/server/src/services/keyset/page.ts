// One page of any list, by page number or by cursor, read with one builder (pageRows) for every list's rows.

import type { Executor } from "@taskmgr/db";
import type { Page } from "@taskmgr/db/contracts";
import { and, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { pageRequest, toPage } from "../paging";
import { type CursorCodec, fingerprint } from "./cursor-codec";
import { orderSql, type SortKey, seekAfter, seekParts } from "./seek";

/** The rows of one page of `table`: `where` the list's filters, `seek` a cursor's keyset condition. */
export function pageRows<T extends PgTable>(
  db: Executor,
  table: T,
  where: SQL | undefined,
  keys: readonly SortKey[],
  seek: SQL | undefined,
  limit: number,
  offset: number,
) {
  return db
    .select()
    .from(table as PgTable)
    .where(and(where, seek))
    .orderBy(...orderSql(keys))
    .limit(limit)
    .offset(offset) as unknown as Promise<T["$inferSelect"][]>;
}

export interface KeysetListOptions<Row, Out> {
  codec: CursorCodec;
  keys: readonly SortKey[];
  query: { page?: number | undefined; pageSize: number; cursor?: string | undefined };
  /** Scope, filters and ordering: a cursor only continues the list it came from. */
  identity: unknown;
  /** Rows past `seek` in the order of `keys` (the list's keys, or a part's: see seekParts); pageRows reads them. */
  rows(seek: SQL | undefined, limit: number, offset: number, keys: readonly SortKey[]): Promise<Row[]>;
  count(): Promise<number>;
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
          k: o.keys.map((k) => {
            const v = (last as Record<string, unknown>)[k.field];
            return v instanceof Date ? v.toISOString() : v;
          }),
        })
      : null;
  return toPage(rows.map(o.map), count, paging, nextCursor);
}

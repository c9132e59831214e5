import type postgres from "postgres";

type Unsafe = (query: string, args?: unknown[], options?: object) => unknown;
type Begin = (...args: unknown[]) => unknown;

/** Query texts this process prepares at most; past it, new texts run unnamed (bounded memory, whatever the input). */
export const MAX_PREPARED_TEXTS = 500;

/**
 * Prepares drizzle's queries on a postgres.js client, with a bound.
 *
 * drizzle's postgres-js driver calls `client.unsafe(query, params)` with no options, and postgres.js reads that
 * as `prepare: false` whatever the client was created with, so PostgreSQL parses and plans every query again
 * (drizzle-team/drizzle-orm#6096; the fix, #6098, is open as of drizzle-orm 0.45.4). Preparing them pays on every
 * list (docs/benchmarks.md, "Behind comments"). postgres.js keeps a prepared statement per connection and query
 * text forever, so only the first MAX_PREPARED_TEXTS distinct texts with parameters are prepared; transactions
 * (a connection of their own) follow the same rule.
 *
 * Delete this module when drizzle passes the client's `prepare` to `unsafe()` and postgres.js bounds its
 * statement cache (or our query texts are known to be few): then `postgres(url, { prepare: true })` alone does
 * this, and packages/db/test/prepared-statements.test.ts says whether it still holds.
 */
export function preparePooled(client: postgres.Sql) {
  const prepared = new Set<string>();
  const patch = (sql: { unsafe: Unsafe }) => {
    const unsafe = sql.unsafe.bind(sql);
    sql.unsafe = (query, args, opts) => {
      let prepare = false;
      if (args && args.length > 0) {
        if (prepared.has(query)) prepare = true;
        else if (prepared.size < MAX_PREPARED_TEXTS) {
          prepared.add(query);
          prepare = true;
        }
      }
      return unsafe(query, args, { ...opts, prepare });
    };
  };
  patch(client as unknown as { unsafe: Unsafe });
  const begin = (client.begin as Begin).bind(client);
  (client as unknown as { begin: Begin }).begin = (...args: unknown[]) => {
    const i = args.findIndex((a) => typeof a === "function");
    const body = args[i] as (sql: { unsafe: Unsafe }) => unknown;
    args[i] = (sql: { unsafe: Unsafe }) => {
      patch(sql);
      return body(sql);
    };
    return begin(...args);
  };
}

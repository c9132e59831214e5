import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./driver/data-dir-lock";
import { preparePooled } from "./driver/prepared-statements";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  /** Runs fn while holding a PostgreSQL session advisory lock (PGlite has one connection: no lock needed). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Calls `onNotify` for every NOTIFY on `channel` (from any process on this database); returns the unlisten. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** postgres://… for a PostgreSQL server; without it, embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; null keeps it in memory (tests). */
  dataDir?: string | null;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
  /** Server-side prepared statements (default true); false behind a pooler that cannot keep them. */
  prepare?: boolean;
  /** PostgreSQL cancels any statement of this pool running longer (ms; 0 or unset: never). PGlite ignores it. */
  statementTimeoutMs?: number;
}

export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, {
      max: options.poolSize ?? 10,
      idle_timeout: 30,
      connect_timeout: 10,
      // postgres.js's default backoff grows with every failed connect, shared by the pool, up to 20 s, so a
      // short restart kept requests waiting long after it; capped at 1 s (docs/benchmarks.md, "Behind comments").
      backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
      onnotice: () => {},
      // drizzle reads a timestamptz from its text with new Date(), which reads only ISO text with a whole-minute
      // offset. A server whose default zone is, say, Europe/Amsterdam prints 1900 as "…+00:19:32" (local mean
      // time) and "SQL, DMY" prints no ISO at all: either would read back as Invalid Date. The session pins both.
      connection: {
        TimeZone: "UTC",
        DateStyle: "ISO, MDY",
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      },
    });
    if (options.prepare !== false) preparePooled(client);
    const db = drizzlePostgres({ client, schema }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      ping: async () => {
        await client`select 1`;
      },
      withAdvisoryLock: async (key, fn) => {
        const session = await client.reserve();
        try {
          await session`select pg_advisory_lock(${key})`;
          try {
            return await fn();
          } finally {
            await session`select pg_advisory_unlock(${key})`;
          }
        } finally {
          session.release();
        }
      },
      listen: async (channel, onNotify) => {
        // postgres.js keeps one connection of its own for every listen, and listens again after a reconnect.
        const { unlisten } = await client.listen(channel, () => onNotify());
        return unlisten;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = options.dataDir === undefined ? "./.data" : options.dataDir;
  let client: PGlite;
  let lock: { release(): Promise<void> } | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    lock = await lockDataDir(dataDir);
    try {
      client = await PGlite.create(`${dataDir}/pgdata`);
    } catch (err) {
      await lock.release();
      throw err;
    }
  } else {
    client = await PGlite.create();
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    withAdvisoryLock: (_key, fn) => fn(),
    listen: async (channel, onNotify) => client.listen(channel, () => onNotify()),
    close: async () => {
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/** Rows of a raw `db.execute`, whichever driver ran it (postgres.js gives an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb, type Database } from "../client";
import { migrate } from "../migrate";

export type Backend = "pglite" | "postgres";

export function postgresTestUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/**
 * For tests that need the real PostgreSQL: true (skip) when none is configured, outside CI only. Under CI they
 * run, and createTestDb("postgres") fails naming DATABASE_URL.
 */
export const skipWithoutPostgres = (): boolean => !postgresTestUrl() && !process.env.CI;

/** The backends db tests run on: always PGlite, and the real PostgreSQL too when one is configured. */
export function testBackends(): Backend[] {
  return postgresTestUrl() ? ["pglite", "postgres"] : ["pglite"];
}

/** The backend server tests run on: the real PostgreSQL when configured, else PGlite. */
export function defaultTestBackend(): Backend {
  return postgresTestUrl() ? "postgres" : "pglite";
}

export interface TestDatabase extends Database {
  /** The database's URL (postgres only), for tests that start another process. */
  url?: string;
}

/** A fresh, migrated database of its own for one test file: an in-memory PGlite or a new PostgreSQL database. */
export async function createTestDb(
  backend: Backend = defaultTestBackend(),
  poolSize = 10,
): Promise<TestDatabase> {
  if (backend === "pglite") {
    const database = await createDb({ dataDir: null });
    await migrate(database);
    return database;
  }
  const baseUrl = postgresTestUrl();
  if (!baseUrl) throw new Error("postgres backend needs TEST_DATABASE_URL or DATABASE_URL");
  const name = `taskmgr_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = await createDb({ databaseUrl: url.toString(), poolSize });
  await migrate(database);
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
export { insertTasks, makeOwner } from "./fixtures";
export { holdOutsideLock, type OutsideLock } from "./outside-lock";
export { endTrackedProcesses, trackProcess } from "./processes";

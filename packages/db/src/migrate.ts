import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { ADVISORY_LOCKS } from "./advisory-locks";
import type { Database } from "./client";

/** The SQL migrations: beside a bundled entry point (dist/migrations), else the package's own folder. */
export function migrationsFolder(): string {
  if (process.env.MIGRATIONS_DIR) return process.env.MIGRATIONS_DIR;
  for (const candidate of ["./migrations", "../migrations"]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}/meta/_journal.json`)) return path;
  }
  throw new Error("SQL migrations not found; set MIGRATIONS_DIR");
}

/** Applies pending migrations. Safe to run from several processes at once (an advisory lock serialises them). */
export async function migrate(database: Database, folder = migrationsFolder()): Promise<void> {
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    return;
  }
  await database.withAdvisoryLock(ADVISORY_LOCKS.migrations, () =>
    migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder: folder }),
  );
}

import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createDb, migrate, rowsOf } from "../src";
import { createTestDb, skipWithoutPostgres } from "../src/testing/test-db";

it.skipIf(skipWithoutPostgres())(
  "lets several processes migrate one PostgreSQL database at once",
  async () => {
    const database = await createTestDb("postgres");
    try {
      await database.db.execute(sql`drop schema drizzle cascade`);
      await database.db.execute(sql`drop schema public cascade`);
      await database.db.execute(sql`create schema public`);
      const others = await Promise.all(
        [1, 2, 3].map(() => createDb({ databaseUrl: database.url!, poolSize: 2 })),
      );
      await Promise.all(others.map((o) => migrate(o)));
      await Promise.all(others.map((o) => o.close()));
      const applied = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(applied[0]?.n).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  },
);

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, MAX_PREPARED_TEXTS, rowsOf } from "../src";
import { createTestDb, skipWithoutPostgres, type TestDatabase } from "../src/testing/test-db";

// Prepared statements on the real PostgreSQL: used (the server keeps them), and bounded however many distinct
// query texts clients cause, in the pool and inside transactions.
const skip = skipWithoutPostgres();

describe.skipIf(skip)("prepared statements", () => {
  let created: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    created = await createTestDb("postgres");
    // One connection, so pg_prepared_statements (per session) sees every statement the pool prepared.
    database = await createDb({ databaseUrl: created.url!, poolSize: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await created?.close();
  });

  const prepared = async (like = "%") =>
    rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from pg_prepared_statements where statement like ${like}`,
      ),
    )[0]!.n;

  it("prepares queries with parameters, and no more than MAX_PREPARED_TEXTS distinct texts", async () => {
    // Each text distinct (the literal differs), each with a parameter.
    for (let i = 0; i < MAX_PREPARED_TEXTS + 50; i++) {
      const [row] = rowsOf<{ v: number }>(
        await database.db.execute(sql`select ${i}::int + ${sql.raw(String(i))} as v`),
      );
      expect(Number(row!.v)).toBe(2 * i);
    }
    const ours = await prepared("select $1::int + %");
    expect(ours).toBeGreaterThan(MAX_PREPARED_TEXTS - 10); // prepared, up to the bound
    expect(ours).toBeLessThanOrEqual(MAX_PREPARED_TEXTS); // and not past it
    // Past the bound, new texts still run (unnamed), in a transaction too, and none of them is kept.
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) {
        const [row] = rowsOf<{ v: number }>(
          await tx.execute(sql`select ${i}::int + ${sql.raw(String(1000 + i))} as v`),
        );
        expect(Number(row!.v)).toBe(1000 + 2 * i);
      }
    });
    expect(await prepared("select $1::int + %")).toBe(ours);
    // Besides ours, only postgres.js's own few (its array-type query, transaction commands).
    expect((await prepared()) - ours).toBeLessThanOrEqual(5);
  });
});

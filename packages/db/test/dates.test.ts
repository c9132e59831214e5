import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, tasks, users } from "../src";
import { EARLIEST_DATE, LATEST_DATE } from "../src/contracts/common";
import { createTestDb, skipWithoutPostgres, type TestDatabase, testBackends } from "../src/testing/test-db";

async function roundTrip(database: Database, ownerId: string, dueDate: Date): Promise<Date | null> {
  const [task] = await database.db
    .insert(tasks)
    .values({ title: "t", createdById: ownerId, dueDate })
    .returning();
  const [read] = await database.db.select().from(tasks).where(eq(tasks.id, task!.id));
  return read!.dueDate;
}

async function makeOwner(database: Database, username: string): Promise<string> {
  const [user] = await database.db
    .insert(users)
    .values({ username, passwordHash: "x", role: "ADMIN" })
    .returning();
  return user!.id;
}

// The contracts accept dates from EARLIEST_DATE to LATEST_DATE because exactly those come back as they went in.
describe.each(testBackends())("timestamps on %s", (backend) => {
  let database: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    database = await createTestDb(backend);
    owner = await makeOwner(database, "dates");
  });
  afterAll(async () => {
    await database?.close();
  });

  it("round-trip exactly at both ends of the accepted range", async () => {
    for (const date of [EARLIEST_DATE, new Date("1582-10-10T12:00:00.000Z"), LATEST_DATE]) {
      expect((await roundTrip(database, owner, date))?.toISOString()).toBe(date.toISOString());
    }
  });
});

describe.skipIf(skipWithoutPostgres())("timestamps on a server whose defaults are not UTC and ISO", () => {
  let base: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    base = await createTestDb("postgres");
    const name = new URL(base.url!).pathname.slice(1);
    // A server set up in Amsterdam: old instants print with a local-mean-time offset of seconds (+00:19:32).
    await base.db.execute(sql.raw(`alter database "${name}" set timezone = 'Europe/Amsterdam'`));
    await base.db.execute(sql.raw(`alter database "${name}" set datestyle = 'SQL, DMY'`));
    database = await createDb({ databaseUrl: base.url!, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await base?.close();
  });

  it("still read back every instant exactly", async () => {
    const owner = await makeOwner(database, "amsterdam");
    for (const date of [EARLIEST_DATE, new Date("1900-01-01T00:00:00.000Z"), new Date(), LATEST_DATE]) {
      expect((await roundTrip(database, owner, date))?.toISOString()).toBe(date.toISOString());
    }
  });
});

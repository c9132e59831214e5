import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, migrationsFolder, rowsOf, usernameKeyOf } from "../src";
import { createTestDb, testBackends } from "../src/testing/test-db";

/** A copy of the migrations that stops after `last` (its index in the journal). */
function migrationsUpTo(last: number): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmgr-migrations-"));
  cpSync(migrationsFolder(), dir, { recursive: true });
  const journalPath = join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

const before0007 = migrationsUpTo(6);
afterAll(() => rmSync(before0007, { recursive: true, force: true }));

describe.each(testBackends())("migration 0007 on %s", (backend) => {
  it("keys the users an older release wrote, renaming a later one whose name NFKC makes a duplicate", async () => {
    const database = await createTestDb(backend);
    try {
      await database.db.execute(sql`drop schema drizzle cascade`);
      await database.db.execute(sql`drop schema public cascade`);
      await database.db.execute(sql`create schema public`);
      await migrate(database, before0007);
      // lower() told these apart, so the release before 0007 let them all in.
      await database.db.execute(sql`
        insert into users (username, password_hash, created_at) values
          ('admin', 'x', now() - interval '3 days'),
          ('ａｄｍｉｎ', 'x', now() - interval '2 days'),
          ('İvan', 'x', now() - interval '1 day'),
          ('Ｂｏｂ', 'x', now())`);
      await migrate(database);

      const rows = rowsOf<{ id: string; username: string; skeleton: string | null }>(
        await database.db.execute(
          sql`select id, username, username_skeleton as skeleton from users order by created_at`,
        ),
      );
      expect(rows.map((r) => r.username)).toEqual(["admin", `admin-${rows[1]!.id}`, "İvan", "Bob"]);
      expect(rows.every((r) => r.skeleton === null)).toBe(true);
      const found = async (spelling: string) =>
        rowsOf<{ username: string }>(
          await database.db.execute(
            sql`select username from users where username_key = ${usernameKeyOf(spelling)}`,
          ),
        ).map((r) => r.username);
      expect(await found("ADMIN")).toEqual(["admin"]);
      expect(await found("İvan")).toEqual(["İvan"]);
      expect(await found("ｂｏｂ")).toEqual(["Bob"]);
    } finally {
      await database.close();
    }
  });
});

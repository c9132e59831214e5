import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { users } from "@taskmgr/db";
import { createTestDb } from "@taskmgr/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices } from "../src/services";
import { testConfig, testLogger } from "./support/config";
import { type Harness, startHarness } from "./support/harness";
import { spawnScript } from "./support/process";

// Issue 17, finding 8: one name, one user, however it is spelled; and no user whose name looks like another's.
describe("usernames", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const create = (username: string) =>
    h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username, password: "long-enough", role: "INTERN" },
    });
  const login = (username: string) =>
    h.rest("POST", "/api/auth/login", { body: { username, password: "long-enough" } });

  it("stores and shows a name in NFKC", async () => {
    const res = await create("ｊｏｈｎ.ｄｏｅ");
    expect(res.status).toBe(201);
    expect(res.body.username).toBe("john.doe");
  });

  it("refuses a fullwidth or mathematical spelling of a taken name as a duplicate (409)", async () => {
    expect((await create("Mallory")).status).toBe(201);
    for (const spelling of ["ｍａｌｌｏｒｙ", "𝐦𝐚𝐥𝐥𝐨𝐫𝐲", "MALLORY"]) {
      const res = await create(spelling);
      expect(res.status, spelling).toBe(409);
      expect(res.body.message).toMatch(/already taken/);
    }
  });

  it("logs a user in by any spelling that normalises to their name", async () => {
    expect((await create("trudy.k")).status).toBe(201);
    for (const spelling of ["trudy.k", "TRUDY.K", "ｔｒｕｄｙ.ｋ", "𝐭𝐫𝐮𝐝𝐲.𝐤"]) {
      expect((await login(spelling)).status, spelling).toBe(200);
    }
  });

  it("logs İvan in as İvan", async () => {
    const res = await create("İvan");
    expect(res.status).toBe(201);
    expect(res.body.username).toBe("İvan");
    for (const spelling of ["İvan", "İVAN"]) expect((await login(spelling)).status, spelling).toBe(200);
  });

  it("refuses a look-alike of a taken name (409), through either door", async () => {
    expect((await create("operator")).status).toBe(201);
    const cyrillicO = await create("\u043eperator");
    expect(cyrillicO.status).toBe(409);
    expect(cyrillicO.body.code).toBe("CONFLICT");
    expect(cyrillicO.body.message).toMatch(/looks like/);
    await expect(
      h
        .trpc(h.admin)
        .users.create.mutate({ username: "operat\u043er", password: "long-enough", role: "INTERN" }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    // Within one script too: r + n reads as m.
    expect((await create("bossman")).status).toBe(201);
    expect((await create("bossrnan")).status).toBe(409);
    expect((await login("\u043eperator")).status).toBe(401);
  });

  it("lets exactly one of two look-alikes created at once in", async () => {
    const [latin, cyrillic] = await Promise.all([create("twin.peak"), create("tw\u0456n.peak")]);
    expect([latin.status, cyrillic.status].sort()).toEqual([201, 409]);
  });

  it("checks look-alikes against users written without the server (a seed, an older release)", async () => {
    const [seeded] = await h.database.db
      .insert(users)
      .values({ username: "paypal", passwordHash: "x", role: "INTERN" })
      .returning();
    expect(seeded!.usernameSkeleton).toBeNull();
    expect((await create("\u0440\u0430\u0443\u0440\u0430l")).status).toBe(409); // Cyrillic р, а, у
    expect((await create("paypal.support")).status).toBe(201);
    const [after] = await h.database.db.select().from(users).where(eq(users.id, seeded!.id));
    expect(after!.usernameSkeleton).not.toBeNull();
  });

  it("refuses a name holding an invisible letter (400 naming username)", async () => {
    const res = await create("ghost\u3164");
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(["username"]);
  });
});

describe("the first admin and createsuperuser", () => {
  it("the first admin's name is normalised and its password checked like any other", async () => {
    const database = await createTestDb();
    try {
      const services = createServices({ config: testConfig(), database, logger: testLogger() });
      await expect(
        services.users.bootstrapAdmin({ username: "admin", password: "password1", production: true }),
      ).rejects.toThrow(/ADMIN_PASSWORD: is too common/);
      await expect(
        services.users.bootstrapAdmin({ username: "superuser", password: "SuperUser", production: true }),
      ).rejects.toThrow(/ADMIN_PASSWORD: must not be the username/);
      const created = await services.users.bootstrapAdmin({
        username: "ａｄｍｉｎ",
        password: "from-the-env-1",
        production: true,
      });
      expect(created).toEqual({ created: true });
      const [row] = await database.db.select().from(users);
      expect(row!.username).toBe("admin");
      await services.users.login("Admin", "from-the-env-1", "127.0.0.1");
    } finally {
      await database.close();
    }
  });

  // Three processes, each opening the embedded database: slower than the default 30 s on a busy machine.
  it("createsuperuser refuses a look-alike (1) and a weak password (2)", { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "taskmgr-names-"));
    try {
      const run = (username: string, password: string) =>
        spawnScript("src/cli.ts", ["createsuperuser", "--username", username, "--no-input"], {
          DATA_DIR: dataDir,
          TASKMGR_SUPERUSER_PASSWORD: password,
        });
      const ok = run("boss", "boss-password");
      expect(await ok.exited).toBe(0);
      const lookAlike = run("b\u043ess", "boss-password");
      expect(await lookAlike.exited).toBe(1);
      expect(lookAlike.output()).toMatch(/looks like/);
      const weak = run("chief", "password1");
      expect(await weak.exited).toBe(2);
      expect(weak.output()).toMatch(/password: is too common/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { createHash } from "node:crypto";
import { apiKeys, rowsOf } from "@taskmgr/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("service accounts and API keys", () => {
  let h: Harness;
  let intern: TestUser;
  let service: { id: string; username: string };

  const makeKey = async (token: string, body: Record<string, unknown>) => {
    const res = await h.rest("POST", "/api/api-keys", { token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string; prefix: string; userId: string; scopes: string[] };
  };

  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
    const res = await h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username: "billing-service", kind: "SERVICE", role: "ADMIN" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    service = res.body;
  });
  afterAll(() => h?.close());

  it("a service account is made without a password, and cannot log in with one", async () => {
    const me = await h.rest("GET", `/api/users/${service.id}`, { token: h.admin.access });
    expect(me.body).toMatchObject({ kind: "SERVICE", username: "billing-service" });
    for (const password of ["", "anything-at-all", "!"]) {
      const login = await h.rest("POST", "/api/auth/login", {
        body: { username: "billing-service", password: password || "x" },
      });
      expect(login.status).toBe(401);
    }
    const withPassword = await h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username: "svc-with-pw", kind: "SERVICE", password: "long-enough-pw" },
    });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.issues.map((i: { path: string }) => i.path)).toEqual(["password"]);
    const personWithout = await h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username: "person-no-pw" },
    });
    expect(personWithout.status).toBe(400);
    expect(personWithout.body.issues.map((i: { path: string }) => i.path)).toEqual(["password"]);
    const setPassword = await h.rest("PATCH", `/api/users/${service.id}`, {
      token: h.admin.access,
      body: { password: "long-enough-pw" },
    });
    expect(setPassword.status).toBe(400);
  });

  it("shows the secret once, stores only its SHA-256 digest, and lists the key by its prefix", async () => {
    const key = await makeKey(h.admin.access, { name: "billing", userId: service.id });
    expect(key.secret).toMatch(/^tm_[0-9A-Za-z]{40}$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.userId).toBe(service.id);

    const [row] = await h.database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row!.digest).toBe(createHash("sha256").update(key.secret).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(3));

    const list = await h.rest("GET", `/api/api-keys?userId=${service.id}`, { token: h.admin.access });
    expect(list.status).toBe(200);
    expect(list.body.results).toHaveLength(1);
    expect(list.body.results[0]).toMatchObject({ id: key.id, prefix: key.prefix, lastUsedAt: null });
    expect(list.body.results[0]).not.toHaveProperty("secret");
  });

  it("authenticates on both doors as its user, and keeps lastUsedAt", async () => {
    const key = await makeKey(h.admin.access, { name: "both doors", userId: service.id });
    const created = await h.rest("POST", "/api/tasks", {
      token: key.secret,
      body: { title: "from a service" },
    });
    expect(created.status).toBe(201);
    expect(created.body.createdById).toBe(service.id);
    const viaTrpc = await h.trpc({ access: key.secret }).auth.me.query();
    expect(viaTrpc).toMatchObject({ id: service.id, kind: "SERVICE" });
    const list = await h.rest("GET", `/api/api-keys?userId=${service.id}`, { token: h.admin.access });
    const listed = list.body.results.find((k: { id: string }) => k.id === key.id);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it("writes lastUsedAt at most once a minute per key", async () => {
    const key = await makeKey(h.admin.access, { name: "busy", userId: service.id });
    await h.rest("GET", "/api/auth/me", { token: key.secret });
    const read = async () =>
      (await h.database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]!.lastUsedAt!.getTime();
    const first = await read();
    await Promise.all(Array.from({ length: 5 }, () => h.rest("GET", "/api/auth/me", { token: key.secret })));
    expect(await read()).toBe(first);
    // A minute later (moved back in the table instead of waiting) the next use writes it again.
    await h.database.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now() - interval '61 seconds'` })
      .where(eq(apiKeys.id, key.id));
    const before = await read();
    await h.rest("GET", "/api/auth/me", { token: key.secret });
    expect(await read()).toBeGreaterThan(before);
  });

  it("scopes narrow: a tasks:read key lists tasks but cannot create one, on either door", async () => {
    const key = await makeKey(h.admin.access, { name: "reader", userId: service.id, scopes: ["tasks:read"] });
    expect((await h.rest("GET", "/api/tasks", { token: key.secret })).status).toBe(200);
    const create = await h.rest("POST", "/api/tasks", { token: key.secret, body: { title: "nope" } });
    expect(create.status).toBe(403);
    expect(create.body.message).toMatch(/tasks:write/);
    await expect(h.trpc({ access: key.secret }).tasks.create.mutate({ title: "nope" })).rejects.toMatchObject(
      {
        data: { httpStatus: 403 },
      },
    );
    expect((await h.rest("GET", "/api/users", { token: key.secret })).status).toBe(403);
    // A scope never widens the role: an intern's users:read key still cannot list users.
    const internKey = await makeKey(intern.access, { name: "mine", scopes: ["users:read", "admin"] });
    expect((await h.rest("GET", "/api/users", { token: internKey.secret })).status).toBe(403);
    expect((await h.rest("POST", "/api/admin/overdue-sweep", { token: internKey.secret })).status).toBe(403);
  });

  it("a scoped key cannot make a key with more scopes than its own", async () => {
    const key = await makeKey(h.admin.access, {
      name: "key maker",
      userId: service.id,
      scopes: ["users:write", "tasks:read"],
    });
    const wider = await h.rest("POST", "/api/api-keys", { token: key.secret, body: { name: "all" } });
    expect(wider.status).toBe(403);
    const extra = await h.rest("POST", "/api/api-keys", {
      token: key.secret,
      body: { name: "writer", scopes: ["tasks:write"] },
    });
    expect(extra.status).toBe(403);
    const narrower = await h.rest("POST", "/api/api-keys", {
      token: key.secret,
      body: { name: "reader", scopes: ["tasks:read"] },
    });
    expect(narrower.status).toBe(201);
  });

  it("revocation refuses the key at once", async () => {
    const key = await makeKey(h.admin.access, { name: "to revoke", userId: service.id });
    expect((await h.rest("GET", "/api/auth/me", { token: key.secret })).status).toBe(200);
    expect((await h.rest("DELETE", `/api/api-keys/${key.id}`, { token: h.admin.access })).status).toBe(204);
    const after = await h.rest("GET", "/api/auth/me", { token: key.secret });
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/revoked/);
    const list = await h.rest("GET", `/api/api-keys?userId=${service.id}`, { token: h.admin.access });
    expect(list.body.results.find((k: { id: string }) => k.id === key.id).revokedAt).not.toBeNull();
  });

  it("revoked through one replica, a key is refused by another at once", async () => {
    const two = await startHarness({ database: h.database, config: { JWT_SECRET: h.config.JWT_SECRET } });
    const key = await makeKey(h.admin.access, { name: "two replicas", userId: service.id });
    expect((await two.rest("GET", "/api/auth/me", { token: key.secret })).status).toBe(200);
    expect((await h.rest("DELETE", `/api/api-keys/${key.id}`, { token: h.admin.access })).status).toBe(204);
    expect((await two.rest("GET", "/api/auth/me", { token: key.secret })).status).toBe(401);
  });

  it("deactivating the key's user refuses it at once, and reactivating lets it in again", async () => {
    const user = await h.makeUser("INTERN");
    const key = await makeKey(user.access, { name: "mine" });
    expect((await h.rest("GET", "/api/tasks", { token: key.secret })).status).toBe(200);
    await h.rest("PATCH", `/api/users/${user.id}`, { token: h.admin.access, body: { isActive: false } });
    expect((await h.rest("GET", "/api/tasks", { token: key.secret })).status).toBe(401);
    await h.rest("PATCH", `/api/users/${user.id}`, { token: h.admin.access, body: { isActive: true } });
    expect((await h.rest("GET", "/api/tasks", { token: key.secret })).status).toBe(200);
  });

  it("an expired key is refused; an expiry in the past cannot be set", async () => {
    const key = await makeKey(h.admin.access, {
      name: "short-lived",
      userId: service.id,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await h.rest("GET", "/api/auth/me", { token: key.secret })).status).toBe(200);
    await h.database.db
      .update(apiKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(apiKeys.id, key.id));
    expect((await h.rest("GET", "/api/auth/me", { token: key.secret })).status).toBe(401);
    const past = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "past", expiresAt: "2020-01-01" },
    });
    expect(past.status).toBe(400);
    expect(past.body.issues.map((i: { path: string }) => i.path)).toEqual(["expiresAt"]);
  });

  it("a malformed or unknown key is a 401 that says which, and costs the address's budget like a bad token", async () => {
    const malformed = await h.rest("GET", "/api/auth/me", { token: "tm_short" });
    expect(malformed.status).toBe(401);
    expect(malformed.body.message).toMatch(/Malformed API key/);
    const unknown = await h.rest("GET", "/api/auth/me", { token: `tm_${"A".repeat(40)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toMatch(/Unknown, revoked or expired API key/);
  });

  it("an intern lists and revokes their own keys, and cannot see or revoke another's", async () => {
    const mine = await makeKey(intern.access, { name: "laptop" });
    const theirs = await makeKey(h.admin.access, { name: "admin's" });
    const list = await h.rest("GET", "/api/api-keys", { token: intern.access });
    expect(list.body.results.map((k: { id: string }) => k.id)).toContain(mine.id);
    expect(list.body.results.every((k: { userId: string }) => k.userId === intern.id)).toBe(true);
    expect((await h.rest("GET", `/api/api-keys?userId=${h.admin.id}`, { token: intern.access })).status).toBe(
      403,
    );
    expect((await h.rest("DELETE", `/api/api-keys/${theirs.id}`, { token: intern.access })).status).toBe(404);
    expect((await h.rest("GET", "/api/auth/me", { token: theirs.secret })).status).toBe(200);
    expect((await h.rest("DELETE", `/api/api-keys/${mine.id}`, { token: intern.access })).status).toBe(204);
    expect((await h.rest("GET", "/api/auth/me", { token: mine.secret })).status).toBe(401);
  });

  it("names the bad fields of a key", async () => {
    const res = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "", scopes: ["tasks:read", "tasks:read", "root"], userId: "nope" },
    });
    expect(res.status).toBe(400);
    const paths = res.body.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["name", "userId"]));
    expect(paths.some((p: string) => p.startsWith("scopes"))).toBe(true);
    const noUser = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "ghost", userId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(noUser.status).toBe(400);
    expect(noUser.body.issues.map((i: { path: string }) => i.path)).toEqual(["userId"]);
  });

  it("secrets are unique and drawn from the whole alphabet", async () => {
    const secrets = await Promise.all(
      Array.from({ length: 20 }, (_, i) => makeKey(h.admin.access, { name: `k${i}` }).then((k) => k.secret)),
    );
    expect(new Set(secrets).size).toBe(20);
    const chars = new Set(secrets.join("").slice(3));
    expect(chars.size).toBeGreaterThan(50);
    const stored = rowsOf<{ n: number }>(
      await h.database.db.execute(sql`select count(*)::int as n from api_keys`),
    );
    expect(stored[0]!.n).toBeGreaterThanOrEqual(20);
  });
});

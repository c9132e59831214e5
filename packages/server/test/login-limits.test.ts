import { randomBytes } from "node:crypto";
import { createTestDb, skipWithoutPostgres } from "@taskmgr/db/testing";
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

/** A raw POST batch of logins on /trpc; the codes of its answers, in order. */
async function loginBatch(h: Harness, attempts: { username: string; password: string }[]) {
  const res = await h.app.request(`/trpc/${attempts.map(() => "auth.login").join(",")}?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(Object.fromEntries(attempts.map((a, i) => [i, a]))),
  });
  const items = (await res.json()) as { result?: unknown; error?: { data: { code: string } } }[];
  return items.map((i) => (i.result ? "OK" : i.error!.data.code));
}

describe("password guesses are counted before they are checked", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { LOGIN_MAX_FAILURES: "3", LOGIN_MAX_FAILURES_PER_ACCOUNT: "5" } });
  });
  afterAll(() => h?.close());

  it("a batch of guesses ending with the right password: three are checked, the rest refused, the right one too", async () => {
    const user = await h.makeUser("INTERN");
    const wrong = { username: user.username, password: "wrong-password" };
    const codes = await loginBatch(h, [
      ...Array(9).fill(wrong),
      { username: user.username, password: user.password },
    ]);
    expect(codes.filter((c) => c === "UNAUTHORIZED")).toHaveLength(3);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(7);
    expect(codes.at(-1)).toBe("TOO_MANY_REQUESTS");
  });

  it("100 concurrent wrong logins: exactly the limit are checked", async () => {
    const user = await h.makeUser("INTERN");
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () =>
        h
          .rest("POST", "/api/auth/login", { body: { username: user.username, password: "wrong-password" } })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(97);
  });

  it("the same name in another case is the same account's count", async () => {
    const user = await h.makeUser("INTERN");
    const shout = user.username.toUpperCase();
    for (const username of [user.username, shout, shout]) {
      expect(
        (await h.rest("POST", "/api/auth/login", { body: { username, password: "wrong-password" } })).status,
      ).toBe(401);
    }
    expect(
      (
        await h.rest("POST", "/api/auth/login", {
          body: { username: user.username, password: user.password },
        })
      ).status,
    ).toBe(429);
  });

  it("guesses spread over many addresses meet the account's own limit", async () => {
    const user = await h.makeUser("INTERN");
    const attempt = (password: string, ip: string) =>
      h.services.users.login(user.username, password, ip).then(
        () => "OK",
        (err) => err.code as string,
      );
    const codes: string[] = [];
    for (let i = 1; i <= 6; i++) codes.push(await attempt("wrong-password", `198.51.100.${i}`));
    expect(codes).toEqual([...Array(5).fill("UNAUTHORIZED"), "TOO_MANY_REQUESTS"]);
    expect(await attempt(user.password, "198.51.100.7")).toBe("TOO_MANY_REQUESTS");
  });

  it("a right password gives the address a fresh count and the account its attempt back", async () => {
    const user = await h.makeUser("INTERN");
    const attempt = (password: string) =>
      h
        .rest("POST", "/api/auth/login", { body: { username: user.username, password } })
        .then((r) => r.status);
    expect([await attempt("wrong-password"), await attempt("wrong-password")]).toEqual([401, 401]);
    expect(await attempt(user.password)).toBe(200);
    expect([await attempt("wrong-password"), await attempt("wrong-password")]).toEqual([401, 401]);
  });

  it("currentPassword guesses are counted like logins, on both doors", async () => {
    const user = await h.makeUser("INTERN");
    const change = (currentPassword: string) =>
      h.rest("PATCH", `/api/users/${user.id}`, {
        token: user.access,
        body: { password: "another-password-9", currentPassword },
      });
    for (let i = 0; i < 2; i++) expect((await change("wrong-password")).status).toBe(400);
    await expect(
      h
        .trpc(user)
        .users.update.mutate({ id: user.id, password: "another-password-9", currentPassword: "nope-nope" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    const limited = await change(user.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("hashing", () => {
  it("is queued and bounded: past the queue a caller is told to come back (503, Retry-After)", async () => {
    const h = await startHarness({ config: { HASH_CONCURRENCY: "1", HASH_MAX_QUEUED: "2" } });
    try {
      const res = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          h.rest("POST", "/api/auth/login", { body: { username: `nobody${i}`, password: "whatever-pw" } }),
        ),
      );
      const statuses = res.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(3);
      const busy = res.filter((r) => r.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy[0]!.headers.get("retry-after")).toBe("1");
      expect(busy[0]!.body.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await h.close();
    }
  });

  // On PostgreSQL, where a transaction held open while hashing kept a pooled connection and the user's row
  // lock for the whole check: no transaction may be open while the guesses are checked.
  it.skipIf(skipWithoutPostgres())(
    "no transaction (connection, row lock) is held while a password is checked",
    async () => {
      const database = await createTestDb("postgres");
      const h = await startHarness({ database, config: { HASH_CONCURRENCY: "1", LOGIN_MAX_FAILURES: "50" } });
      const watcher = postgres(database.url!, { max: 1, onnotice: () => {} });
      try {
        const user = await h.makeUser("INTERN");
        let pending = 8;
        const guesses = Array.from({ length: 8 }, () =>
          h
            .rest("PATCH", `/api/users/${user.id}`, {
              token: user.access,
              body: { password: "another-password-9", currentPassword: "wrong-password" },
            })
            .then((r) => {
              pending--;
              return r.status;
            }),
        );
        let open = 0;
        while (pending > 0) {
          const [row] = await watcher`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and state like 'idle in transaction%'`;
          open = Math.max(open, row!.n);
        }
        expect(await Promise.all(guesses)).toEqual(Array(8).fill(400));
        expect(open).toBe(0);
      } finally {
        await watcher.end();
        await h.close();
      }
    },
  );
});

describe.skipIf(!process.env.REDIS_URL)("the login limiter in Redis", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis?.disconnect());

  it("keeps its keys under the deployment's prefix, and replicas share them", async () => {
    const prefix = `test-${randomBytes(4).toString("hex")}`;
    const config = { QUEUE_PREFIX: prefix, LOGIN_MAX_FAILURES: "2" };
    const one = await startHarness({ config, redis });
    const user = await one.makeUser("INTERN");
    const two = await startHarness({ config, redis, database: one.database });
    try {
      const login = (h: Harness) =>
        h
          .rest("POST", "/api/auth/login", { body: { username: user.username, password: "wrong-password" } })
          .then((r) => r.status);
      expect([await login(one), await login(two), await login(one)]).toEqual([401, 401, 429]);
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((k) => k.startsWith(`${prefix}:login-address`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}:login-account`))).toBe(true);
      expect(await redis.keys(`login-fail*${user.username.toLowerCase()}*`)).toEqual([]);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await one.close();
    }
  });
});

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

/** `"calls";r=7;t=10` → { policy: "calls", r: 7, t: 10 } */
function parse(header: string | null) {
  const m = header ? /^"([^"]+)";(.*)$/.exec(header) : null;
  if (!m) return null;
  const params = Object.fromEntries(m[2]!.split(";").map((kv) => kv.split("=") as [string, string]));
  return {
    policy: m[1],
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Number(v)])),
  } as Record<string, number | string>;
}

describe("rate limits for every caller", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { RATE_LIMIT_CALLS: "5", RATE_LIMIT_WINDOW_SECONDS: "600" } });
  });
  afterAll(() => h?.close());

  it("every authenticated answer carries RateLimit-Policy and RateLimit, on both doors, errors included", async () => {
    const user = await h.makeUser("INTERN");
    const answers = [
      await h.rest("GET", "/api/tasks", { token: user.access }),
      await h.rest("POST", "/api/tasks", { token: user.access, body: { title: "limited" } }),
      await h.rest("GET", "/api/tasks/00000000-0000-4000-8000-000000000000", { token: user.access }),
    ];
    const trpc = await h.app.request("/trpc/auth.me", {
      headers: { authorization: `Bearer ${user.access}` },
    });
    const remaining: number[] = [];
    for (const headers of [...answers.map((a) => a.headers), trpc.headers]) {
      expect(parse(headers.get("ratelimit-policy"))).toEqual({ policy: "calls", q: 5, w: 600 });
      const state = parse(headers.get("ratelimit"));
      expect(state).toMatchObject({ policy: "calls" });
      expect(state!.t).toBeGreaterThan(0);
      remaining.push(state!.r as number);
    }
    expect(answers[2]!.status).toBe(404);
    expect(remaining).toEqual([4, 3, 2, 1]);
  });

  it("past the limit: 429 with Retry-After and nothing left", async () => {
    const user = await h.makeUser("INTERN");
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) {
      last = await h.app.request("/api/tasks", { headers: { authorization: `Bearer ${user.access}` } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(parse(last!.headers.get("ratelimit"))).toMatchObject({ r: 0 });
    const body = (await last!.json()) as { code: string };
    expect(body.code).toBe("TOO_MANY_REQUESTS");
  });

  it("a service account's key has a budget of its own, larger than a person's", async () => {
    const svc = await startHarness({
      config: { RATE_LIMIT_CALLS: "2", SERVICE_RATE_LIMIT_CALLS: "8", RATE_LIMIT_WINDOW_SECONDS: "600" },
    });
    try {
      const account = await svc.rest("POST", "/api/users", {
        token: svc.admin.access,
        body: { username: "limits-service", kind: "SERVICE" },
      });
      const key = await svc.rest("POST", "/api/api-keys", {
        token: svc.admin.access,
        body: { name: "svc", userId: account.body.id },
      });
      const statuses: number[] = [];
      let policy: string | null = null;
      for (let i = 0; i < 9; i++) {
        const res = await svc.app.request("/api/auth/me", {
          headers: { authorization: `Bearer ${key.body.secret}` },
        });
        statuses.push(res.status);
        policy ??= res.headers.get("ratelimit-policy");
      }
      expect(statuses).toEqual([...Array(8).fill(200), 429]);
      expect(parse(policy)).toEqual({ policy: "service-calls", q: 8, w: 600 });
    } finally {
      await svc.close();
    }
  });
});

describe.skipIf(!process.env.REDIS_URL)("rate limits shared by replicas through Redis", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis?.disconnect());

  it("two replicas count one user's calls together", async () => {
    const prefix = `test-${randomBytes(4).toString("hex")}`;
    const config = {
      QUEUE_PREFIX: prefix,
      RATE_LIMIT_CALLS: "4",
      RATE_LIMIT_WINDOW_SECONDS: "600",
      JWT_SECRET: randomBytes(32).toString("hex"),
    };
    const one = await startHarness({ config, redis });
    const two = await startHarness({ config, redis, database: one.database });
    try {
      const user = await one.makeUser("INTERN");
      const get = (h: Harness) =>
        h.app.request("/api/auth/me", { headers: { authorization: `Bearer ${user.access}` } });
      const answers = [await get(one), await get(two), await get(one), await get(two), await get(one)];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
      expect(answers.map((a) => parse(a.headers.get("ratelimit"))?.r)).toEqual([3, 2, 1, 0, 0]);
      expect((await redis.keys(`${prefix}:calls*`)).length).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await one.close();
    }
  });
});

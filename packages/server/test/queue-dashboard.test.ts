import { createSweepQueue } from "@taskmgr/worker";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// /admin/queues: BullMQ's dashboard, for active admins, with Redis only (API.md, Console).
const redisUrl = process.env.REDIS_URL;

describe("without Redis", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("answers 404, saying the dashboard needs REDIS_URL", async () => {
    for (const path of ["/admin/queues", "/admin/queues/api/queues"]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).message).toMatch(/REDIS_URL/);
    }
  });
});

describe.skipIf(!redisUrl && !process.env.CI)("with Redis", () => {
  let h: Harness;
  let redis: Redis;
  let queue: Queue;
  beforeAll(async () => {
    if (!redisUrl) throw new Error("REDIS_URL must be set under CI");
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    queue = createSweepQueue({ connection: redis, prefix: `dashboard-${Date.now()}` });
    h = await startHarness({ redis, sweeper: { runNow: async () => ({ markedOverdue: 0 }), queue } });
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    redis?.disconnect();
    await h?.close();
  });

  async function sessionCookie(token: string) {
    const res = await h.app.request("/admin/queues/session", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    return { res, cookie: res.headers.get("set-cookie") };
  }

  it("refuses every path to a caller without an admin's session: a person is sent to sign in", async () => {
    const page = await h.app.request("/admin/queues", { headers: { accept: "text/html" } });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^\/admin\/login/);
    for (const path of ["/admin/queues/api/queues", "/admin/queues/api/redis/stats"]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(401);
    }
    const forged = await h.app.request("/admin/queues/api/redis/stats", {
      headers: { cookie: "tm_queues=forged" },
    });
    expect(forged.status).toBe(401);
  });

  it("answers a token that is no good with 401 (so a client refreshes it), not 403", async () => {
    const { res } = await sessionCookie("not-a-token");
    expect(res.status).toBe(401);
  });

  it("refuses the dashboard's writes from another origin of the same site, cookie or not", async () => {
    const { cookie } = await sessionCookie(h.admin.access);
    const headers = { cookie: cookie!.split(";")[0]!, "content-type": "text/plain", host: "tasks.example" };
    const froms: Record<string, string>[] = [
      { "sec-fetch-site": "same-site", origin: "http://other.tasks.example" },
      { origin: "http://tasks.example:8080" },
    ];
    for (const from of froms) {
      const res = await h.app.request("/admin/queues/api/queues/maintenance/add", {
        method: "POST",
        headers: { ...headers, ...from },
        body: JSON.stringify({ name: "x", data: {} }),
      });
      expect(res.status).toBe(403);
    }
    expect(await queue.count()).toBe(0);
  });

  it("gives an intern no session", async () => {
    const intern = await h.makeUser("INTERN");
    const { res, cookie } = await sessionCookie(intern.access);
    expect(res.status).toBe(403);
    expect(cookie).toBeNull();
    expect((await h.app.request("/admin/queues/session", { method: "POST" })).status).toBe(401);
  });

  it("lets an admin in with an HttpOnly, SameSite=Strict cookie scoped to /admin/queues, and shows the queue", async () => {
    const { res, cookie } = await sessionCookie(h.admin.access);
    expect(res.status).toBe(204);
    expect(cookie).toMatch(/^tm_queues=[^;]+; Max-Age=\d+; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    const headers = { cookie: cookie!.split(";")[0]! };
    const page = await h.app.request("/admin/queues", { headers });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await h.app.request("/admin/queues/api/queues", { headers });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toEqual(["maintenance"]);
  });

  it("shuts out an admin deactivated since, at once", async () => {
    const other = await h.makeUser("ADMIN");
    const { cookie } = await sessionCookie(other.access);
    const headers = { cookie: cookie!.split(";")[0]! };
    expect((await h.app.request("/admin/queues/api/queues", { headers })).status).toBe(200);
    await h.rest("PATCH", `/api/users/${other.id}`, { token: h.admin.access, body: { isActive: false } });
    expect((await h.app.request("/admin/queues/api/queues", { headers })).status).toBe(401);
  });
});

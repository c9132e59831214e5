import { rowsOf } from "@taskmgr/db";
import { createTestDb, holdOutsideLock, skipWithoutPostgres } from "@taskmgr/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ANSWER_BYTES } from "../src/limits";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// A tRPC batch runs its calls concurrently and builds one answer in memory, so every limit that a single call
// meets must hold for a batch call by call: its length, its answer's size, and the caller's budget.

/** A raw batch on /trpc: GET with the inputs in the query string, or POST with them in the body. */
async function batch(
  h: Harness,
  method: "GET" | "POST",
  procedure: string,
  inputs: unknown[],
  token?: string,
): Promise<{
  status: number;
  text: string;
  items: { result?: unknown; error?: { data: { code: string } } }[];
}> {
  const path = `/trpc/${inputs.map(() => procedure).join(",")}?batch=1`;
  const encoded = JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input])));
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res =
    method === "GET"
      ? await h.app.request(`${path}&input=${encodeURIComponent(encoded)}`, { headers })
      : await h.app.request(path, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          body: encoded,
        });
  const text = await res.text();
  const parsed = JSON.parse(text);
  return { status: res.status, text, items: Array.isArray(parsed) ? parsed : [parsed] };
}

describe("batches", () => {
  let h: Harness;
  let intern: TestUser;
  beforeAll(async () => {
    h = await startHarness({ config: { MAX_BATCH_CALLS: "10" } });
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  const countTasks = async () =>
    rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from tasks`))[0]!.n;

  it("refuses a POST batch longer than MAX_BATCH_CALLS whole: none of its calls runs", async () => {
    const before = await countTasks();
    const res = await batch(
      h,
      "POST",
      "tasks.create",
      Array.from({ length: 11 }, (_, i) => ({ title: `batched ${i}` })),
      intern.access,
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Batch of 11 calls exceeds the maximum of 10/);
    expect(await countTasks()).toBe(before);
  });

  it("refuses a GET batch longer than MAX_BATCH_CALLS, and an anonymous one of logins", async () => {
    const lists = await batch(
      h,
      "GET",
      "tasks.list",
      Array.from({ length: 11 }, () => ({})),
      intern.access,
    );
    expect(lists.status).toBe(400);
    expect(lists.text).toMatch(/exceeds the maximum of 10/);
    const logins = await batch(
      h,
      "POST",
      "auth.login",
      Array.from({ length: 500 }, () => ({ username: h.admin.username, password: "guess-guess" })),
    );
    expect(logins.status).toBe(400);
  });

  it("runs a batch of MAX_BATCH_CALLS calls", async () => {
    const res = await batch(
      h,
      "GET",
      "tasks.list",
      Array.from({ length: 10 }, () => ({})),
      intern.access,
    );
    expect(res.status).toBe(200);
    expect(res.items).toHaveLength(10);
  });

  it("bounds a batch's answer: the calls past MAX_ANSWER_BYTES are refused, the rest answered", async () => {
    // 100 tasks whose descriptions are 10,000 control characters: JSON escapes each as \u0001, so one page of
    // them is about 6 MB of answer, and a batch of ten such pages would be 60 MB; at most one or two fit.
    const description = "\u0001".repeat(10_000);
    const page = await batch(
      h,
      "POST",
      "tasks.create",
      Array.from({ length: 10 }, (_, i) => ({ title: `big ${i}`, description })),
      intern.access,
    );
    expect(page.status).toBe(200);
    for (let i = 0; i < 9; i++) {
      expect(
        (
          await batch(
            h,
            "POST",
            "tasks.create",
            Array.from({ length: 10 }, () => ({ title: "big", description })),
            intern.access,
          )
        ).status,
      ).toBe(200);
    }
    const res = await batch(
      h,
      "GET",
      "tasks.list",
      Array.from({ length: 10 }, () => ({ pageSize: 100, search: "big" })),
      intern.access,
    );
    const answered = res.items.filter((i) => i.result).length;
    const refused = res.items.filter((i) => i.error?.data.code === "PAYLOAD_TOO_LARGE").length;
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(answered + refused).toBe(10);
    // Within the bound, plus the one call that crossed it (any single call's answer is let through whole).
    expect(res.text.length).toBeLessThan(MAX_ANSWER_BYTES + 7 * 1024 * 1024);
    expect(res.text).toMatch(/send fewer calls in one batch/);
  });
});

describe("every call is charged to its caller's budget", () => {
  let h: Harness;
  let intern: TestUser;
  beforeAll(async () => {
    h = await startHarness({ config: { RATE_LIMIT_CALLS: "6", RATE_LIMIT_WINDOW_SECONDS: "600" } });
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("a batch spends its calls one by one, and the REST door spends the same budget", async () => {
    expect((await h.rest("GET", "/api/tasks", { token: intern.access })).status).toBe(200);
    const res = await batch(
      h,
      "GET",
      "tasks.list",
      Array.from({ length: 8 }, () => ({})),
      intern.access,
    );
    const codes = res.items.map((i) => (i.result ? "OK" : i.error?.data.code));
    expect(codes.filter((c) => c === "OK")).toHaveLength(5);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(3);
    const rest = await h.rest("GET", "/api/tasks", { token: intern.access });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another user's budget is their own.
    expect((await h.rest("GET", "/api/tasks", { token: h.admin.access })).status).toBe(200);
  });

  it("anonymous calls are charged to their address, and so are calls with a bad token", async () => {
    const fresh = await startHarness({
      config: { RATE_LIMIT_CALLS: "10", RATE_LIMIT_WINDOW_SECONDS: "600" },
    });
    try {
      // startHarness logged the admin in once: 9 calls left for this address.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await fresh.rest("GET", "/api/auth/me", { token: "not-a-token" })).status);
      }
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (
            await fresh.rest("POST", "/api/auth/login", {
              body: { username: "nobody-here", password: "whatever-pw" },
            })
          ).status,
        );
      }
      expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
      expect(statuses.slice(6)).toEqual([401, 401, 401, 429]);
    } finally {
      await fresh.close();
    }
  });
});

// Calls held inside their slots by a row lock taken from outside (PostgreSQL: PGlite runs one statement at a
// time), so which calls run, wait and are refused does not depend on the machine's speed.
describe.skipIf(skipWithoutPostgres())("one caller's concurrent calls", () => {
  let h: Harness;
  let intern: TestUser;
  beforeAll(async () => {
    h = await startHarness({
      database: await createTestDb("postgres"),
      config: { MAX_CONCURRENT_CALLS: "2", MAX_QUEUED_CALLS: "3" },
    });
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("run a few at a time, wait in a bounded line, and are refused past it; others are not", async () => {
    const task = await h.rest("POST", "/api/tasks", { token: intern.access, body: { title: "locked" } });
    const lock = await holdOutsideLock(
      h.database.url!,
      (tx) => tx`select 1 from tasks where id = ${task.body.id} for update`,
    );
    try {
      const done: { status: number; body: { message: string } }[] = [];
      const calls = Array.from({ length: 12 }, (_, i) =>
        h
          .rest("PATCH", `/api/tasks/${task.body.id}`, { token: intern.access, body: { title: `t${i}` } })
          .then((res) => {
            done.push(res);
            return res;
          }),
      );
      for (let waited = 0; done.length < 7 && waited < 20_000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      // Two hold the intern's slots (waiting on the lock), three wait for a slot, seven were turned away.
      expect(done.map((r) => r.status)).toEqual(Array(7).fill(429));
      expect(done[0]!.body.message).toMatch(/in progress/);
      // Meanwhile another user is served at once.
      expect((await h.rest("GET", "/api/tasks", { token: h.admin.access })).status).toBe(200);
      expect(done).toHaveLength(7);
      lock.release();
      await lock.done;
      const statuses = (await Promise.all(calls)).map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    } finally {
      lock.release();
      await lock.done;
    }
  });
});

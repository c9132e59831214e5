import { idempotencyKeys, rowsOf, tasks } from "@taskmgr/db";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("Idempotency-Key: safe retries of every change", () => {
  let h: Harness;
  let intern: TestUser;
  let n = 0;
  const fresh = () => `key-${Date.now()}-${++n}`;
  const tasksTitled = async (title: string) =>
    (await h.database.db.select({ n: count() }).from(tasks).where(eq(tasks.title, title)))[0]!.n;

  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("a repeated create answers the first answer, status and body, and makes one task", async () => {
    const key = fresh();
    const send = () =>
      h.rest("POST", "/api/tasks", {
        token: intern.access,
        body: { title: "exactly once", priority: "HIGH" },
        headers: { "idempotency-key": key },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(await tasksTitled("exactly once")).toBe(1);
  });

  it("the same request with its keys in another order is the same request", async () => {
    const key = fresh();
    const a = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      rawBody: '{"title":"reordered","priority":"LOW"}',
      headers: { "idempotency-key": key, "content-type": "application/json" },
    });
    const b = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      rawBody: '{"priority":"LOW","title":"reordered"}',
      headers: { "idempotency-key": key, "content-type": "application/json" },
    });
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(b.body.id).toBe(a.body.id);
  });

  it("on the tRPC door too, and a PATCH and a DELETE replay as well", async () => {
    const key = fresh();
    const client = (k: string) =>
      h.trpc(null, { batch: false }) &&
      ({
        call: (path: string, input: unknown) =>
          h.app.request(`/trpc/${path}`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${intern.access}`,
              "content-type": "application/json",
              "idempotency-key": k,
            },
            body: JSON.stringify(input),
          }),
      } as const);
    const one = await client(key).call("tasks.create", { title: "via trpc" });
    const two = await client(key).call("tasks.create", { title: "via trpc" });
    expect(two.headers.get("idempotent-replayed")).toBe("true");
    expect(await two.json()).toEqual(await one.json());
    expect(await tasksTitled("via trpc")).toBe(1);

    const task = (await h.rest("POST", "/api/tasks", { token: intern.access, body: { title: "patched" } }))
      .body;
    const patchKey = fresh();
    const patch = () =>
      h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: intern.access,
        body: { status: "IN_PROGRESS", version: 1 },
        headers: { "idempotency-key": patchKey },
      });
    const p1 = await patch();
    const p2 = await patch(); // without the key, version 1 would now be a 409
    expect(p1.status).toBe(200);
    expect(p2.status).toBe(200);
    expect(p2.body).toEqual(p1.body);

    const del = () =>
      h.rest("DELETE", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        headers: { "idempotency-key": patchKey },
      });
    expect((await del()).status).toBe(204);
    const again = await del();
    expect(again.status).toBe(204);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("a different request under a used key is 422, and changes nothing", async () => {
    const key = fresh();
    await h.rest("POST", "/api/tasks", {
      token: intern.access,
      body: { title: "first use" },
      headers: { "idempotency-key": key },
    });
    const other = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      body: { title: "second use" },
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await tasksTitled("second use")).toBe(0);
  });

  it("keys are per caller: another user's identical request under the same key is their own", async () => {
    const key = fresh();
    const mine = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      body: { title: "per caller" },
      headers: { "idempotency-key": key },
    });
    const theirs = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "per caller" },
      headers: { "idempotency-key": key },
    });
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it("concurrent identical requests make one task: the others replay it or are told it is in progress", async () => {
    const key = fresh();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.rest("POST", "/api/tasks", {
          token: intern.access,
          body: { title: "raced" },
          headers: { "idempotency-key": key },
        }),
      ),
    );
    expect(await tasksTitled("raced")).toBe(1);
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = answers.filter((a) => a.status === 201);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const conflict of answers.filter((a) => a.status === 409)) {
      expect(conflict.body.message).toMatch(/still being processed/);
    }
  });

  it("a refused request stores nothing: fixed and sent again under the same key, it runs", async () => {
    const key = fresh();
    const bad = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      body: { title: "" },
      headers: { "idempotency-key": key },
    });
    expect(bad.status).toBe(400);
    const good = await h.rest("POST", "/api/tasks", {
      token: intern.access,
      body: { title: "fixed" },
      headers: { "idempotency-key": key },
    });
    expect(good.status).toBe(201);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
  });

  it("the change and its stored answer are one transaction: if the answer cannot be stored, the task is not made", async () => {
    // A trigger that refuses every stored answer stands for a crash between the two writes.
    await h.database.db.execute(sql`
      create or replace function refuse_answer() returns trigger language plpgsql as $$
      begin raise exception 'simulated failure while storing the answer'; end $$`);
    await h.database.db.execute(
      sql`create trigger refuse_answer before insert on idempotency_keys for each row execute function refuse_answer()`,
    );
    try {
      const res = await h.rest("POST", "/api/tasks", {
        token: intern.access,
        body: { title: "never half made" },
        headers: { "idempotency-key": fresh() },
      });
      expect(res.status).toBe(500);
      expect(await tasksTitled("never half made")).toBe(0);
    } finally {
      await h.database.db.execute(sql`drop trigger refuse_answer on idempotency_keys`);
    }
    const stored = rowsOf<{ n: number }>(
      await h.database.db.execute(sql`select count(*)::int as n from idempotency_keys`),
    );
    expect(stored[0]!.n).toBeGreaterThan(0);
  });

  it("a key that is not 1–255 printable ASCII characters is a 400 naming the header", async () => {
    for (const key of ["x".repeat(256), "naïve", "tab\there"]) {
      const res = await h.rest("POST", "/api/tasks", {
        token: intern.access,
        body: { title: "bad key" },
        headers: { "idempotency-key": key },
      });
      expect(res.status, key).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(["Idempotency-Key"]);
    }
    expect(await tasksTitled("bad key")).toBe(0);
  });

  it("a tRPC batch of several calls cannot share one key", async () => {
    const res = await h.app.request("/trpc/tasks.create,tasks.create?batch=1", {
      method: "POST",
      headers: {
        authorization: `Bearer ${intern.access}`,
        "content-type": "application/json",
        "idempotency-key": fresh(),
      },
      body: JSON.stringify({ 0: { title: "batched" }, 1: { title: "batched" } }),
    });
    expect(res.status).toBe(400);
    expect(await tasksTitled("batched")).toBe(0);
  });

  it("an answer is kept for its time, then the key may be used afresh", async () => {
    const key = fresh();
    const send = (title: string) =>
      h.rest("POST", "/api/tasks", {
        token: intern.access,
        body: { title },
        headers: { "idempotency-key": key },
      });
    await send("kept a day");
    const [row] = await h.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    const hours = (row!.expiresAt.getTime() - row!.createdAt.getTime()) / 3_600_000;
    expect(hours).toBeCloseTo(24, 1);
    await h.database.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(idempotencyKeys.key, key));
    const reused = await send("after expiry");
    expect(reused.status).toBe(201);
    expect(reused.headers.get("idempotent-replayed")).toBeNull();
    expect(await h.services.idempotency.purgeExpired()).toBeGreaterThanOrEqual(0);
  });

  it("a key's answer, whose secret is never stored, is not replayed: the key is checked and the call runs", async () => {
    const key = fresh();
    const make = () =>
      h.rest("POST", "/api/api-keys", {
        token: intern.access,
        body: { name: "retried" },
        headers: { "idempotency-key": key },
      });
    const a = await make();
    const b = await make();
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    const stored = await h.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(stored).toHaveLength(0);
  });
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { sweepOverdue } from "@taskmgr/db/task-store";
import { createTestDb, type TestDatabase } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

interface Received {
  id?: string;
  event?: string;
  data: unknown;
}

/** An open text/event-stream, parsed as it arrives. */
function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const received: Received[] = [];
  let status = 0;
  let responseHeaders = new Headers();
  let ended = false;
  const ready = (async () => {
    const res = await fetch(url, { headers, signal: abort.signal });
    status = res.status;
    responseHeaders = res.headers;
    if (!res.ok || !res.body) {
      received.push({ data: await res.json() });
      ended = true;
      return;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const fields: Record<string, string> = {};
            for (const line of frame.split("\n")) {
              if (line.startsWith(":")) continue;
              const at = line.indexOf(":");
              const key = line.slice(0, at);
              fields[key] = (fields[key] ? `${fields[key]}\n` : "") + line.slice(at + 1).replace(/^ /, "");
            }
            if (fields.data !== undefined) {
              received.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
            }
            cut = buffer.indexOf("\n\n");
          }
        }
      } catch {
        // aborted
      } finally {
        ended = true;
      }
    })();
  })();
  return {
    received,
    ready,
    get status() {
      return status;
    },
    get headers() {
      return responseHeaders;
    },
    get ended() {
      return ended;
    },
    close: () => abort.abort(),
  };
}

type Stream = ReturnType<typeof openStream>;
const events = (s: Stream) =>
  s.received.filter((r) => r.event?.startsWith("task.")).map((r) => r.data as Record<string, unknown>);

describe("events: live updates from the activity log", () => {
  let database: TestDatabase;
  let h: Harness;
  let intern: TestUser;
  let other: TestUser;
  let server: ReturnType<typeof serve>;
  let base: string;
  const streams: Stream[] = [];
  const open = (path: string, token: string, extra: Record<string, string> = {}) => {
    const s = openStream(`${base}${path}`, { authorization: `Bearer ${token}`, ...extra });
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    database = await createTestDb();
    h = await startHarness({
      database,
      config: { EVENTS_RECHECK_SECONDS: "0.3", EVENTS_MAX_STREAMS_PER_USER: "4", EVENTS_POLL_MS: "100" },
    });
    intern = await h.makeUser("INTERN");
    other = await h.makeUser("INTERN");
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await h?.services.events.stop();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it("every kind of change is its events, in order, with the task as the change left it", async () => {
    const s = open("/api/events", h.admin.access);
    await s.ready;
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toMatch(/text\/event-stream/);
    const created = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "evented", dueDate: "2020-01-01" },
    });
    const id = created.body.id as string;
    await h.rest("PATCH", `/api/tasks/${id}`, {
      token: h.admin.access,
      body: { title: "evented 2", priority: "HIGH" },
    });
    await h.services.taskWrites.bulkUpdate(
      { id: h.admin.id, username: h.admin.username, role: "ADMIN" },
      { ids: [id], set: { dueDate: new Date("2020-02-01") } },
    );
    await sweepOverdue(database.db);
    await h.rest("DELETE", `/api/tasks/${id}`, { token: h.admin.access });
    await expect.poll(() => events(s).filter((e) => e.taskId === id).length, { timeout: 10_000 }).toBe(6);
    const mine = events(s).filter((e) => e.taskId === id);
    expect(mine.map((e) => e.type)).toEqual([
      "task.created",
      "task.updated",
      "task.updated",
      "task.updated",
      "task.overdue",
      "task.deleted",
    ]);
    expect(mine[0]).toMatchObject({
      actorId: h.admin.id,
      changes: [],
      task: { id, title: "evented", version: 1 },
    });
    expect(mine[1]!.changes).toEqual([{ field: "title", oldValue: "evented", newValue: "evented 2" }]);
    expect(mine[1]!.task).toMatchObject({ title: "evented 2", priority: "HIGH", version: 2 });
    expect(mine[4]).toMatchObject({
      actorId: null,
      changes: [{ field: "status", oldValue: "PENDING", newValue: "OVERDUE" }],
      task: { status: "OVERDUE", version: 4 },
    });
    expect(mine[5]!.task).toMatchObject({ status: "OVERDUE", dueDate: "2020-02-01T00:00:00.000Z" });
    // The SSE id is the event's id, which is the log entry's.
    const log = await h.rest("GET", `/api/tasks/${id}/logs?pageSize=100&ordering=createdAt`, {
      token: h.admin.access,
    });
    const ids = s.received.filter((r) => (r.data as { taskId?: string }).taskId === id).map((r) => r.id);
    expect(new Set(ids)).toEqual(new Set(log.body.results.map((e: { id: string }) => e.id)));
    s.close();
  });

  it("a caller sees only events of tasks it may see, filtered by type and task", async () => {
    const seesAll = open("/api/events", h.admin.access);
    const internStream = open("/api/events", intern.access);
    const onlyCreated = open("/api/events?type=task.created", h.admin.access);
    await Promise.all([seesAll.ready, internStream.ready, onlyCreated.ready]);
    const mine = (await h.rest("POST", "/api/tasks", { token: intern.access, body: { title: "intern's" } }))
      .body;
    const theirs = (await h.rest("POST", "/api/tasks", { token: other.access, body: { title: "other's" } }))
      .body;
    await h.rest("PATCH", `/api/tasks/${mine.id}`, { token: intern.access, body: { status: "IN_PROGRESS" } });
    const onlyMine = open(`/api/events?taskId=${mine.id}`, h.admin.access);
    await onlyMine.ready;
    await h.rest("PATCH", `/api/tasks/${theirs.id}`, {
      token: other.access,
      body: { status: "IN_PROGRESS" },
    });
    await h.rest("PATCH", `/api/tasks/${mine.id}`, { token: intern.access, body: { status: "COMPLETED" } });
    await expect.poll(() => events(seesAll).length, { timeout: 10_000 }).toBe(5);
    await expect.poll(() => events(onlyMine).length, { timeout: 10_000 }).toBe(1);
    expect(events(internStream).every((e) => e.taskId === mine.id)).toBe(true);
    expect(events(internStream)).toHaveLength(3);
    expect(events(onlyCreated).map((e) => e.type)).toEqual(["task.created", "task.created"]);
    for (const s of [seesAll, internStream, onlyCreated, onlyMine]) s.close();
  });

  it("a stream that resumes with Last-Event-ID gets every event it missed, once", async () => {
    const first = open("/api/events", h.admin.access);
    await first.ready;
    const a = (
      await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "before the break" } })
    ).body;
    await expect.poll(() => events(first).length, { timeout: 10_000 }).toBe(1);
    const lastSeen = first.received.at(-1)!.id!;
    first.close();
    await h.rest("PATCH", `/api/tasks/${a.id}`, {
      token: h.admin.access,
      body: { title: "during the break" },
    });
    await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "also during" } });
    const again = open("/api/events", h.admin.access, { "last-event-id": lastSeen });
    await again.ready;
    await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "after the break" } });
    await expect.poll(() => events(again).length, { timeout: 10_000 }).toBe(3);
    const titles = events(again).map((e) => (e.task as { title: string }).title);
    expect(titles).toEqual(["during the break", "also during", "after the break"]);
    expect(new Set(again.received.map((r) => r.id)).size).toBe(again.received.length);
    again.close();
    const unknown = open("/api/events", h.admin.access, {
      "last-event-id": "00000000-0000-4000-8000-000000000000",
    });
    await unknown.ready;
    expect(unknown.status).toBe(400);
  });

  it("the tRPC door streams the same events, tracked by id", async () => {
    const input = encodeURIComponent(JSON.stringify({ type: ["task.created"] }));
    const s = open(`/trpc/events.subscribe?input=${input}`, h.admin.access);
    await s.ready;
    expect(s.status).toBe(200);
    const t = (
      await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "via trpc stream" } })
    ).body;
    await expect.poll(() => s.received.filter((r) => r.id).length, { timeout: 10_000 }).toBe(1);
    const frame = s.received.find((r) => r.id)!;
    expect(frame.data).toMatchObject({ type: "task.created", taskId: t.id });
    s.close();
  });

  it("a stream is closed when its user is deactivated, and API keys stream too", async () => {
    const user = await h.makeUser("INTERN");
    const key = (await h.rest("POST", "/api/api-keys", { token: user.access, body: { name: "stream" } }))
      .body;
    const byToken = open("/api/events", user.access);
    const byKey = open("/api/events", key.secret);
    await Promise.all([byToken.ready, byKey.ready]);
    expect(byKey.status).toBe(200);
    await h.rest("PATCH", `/api/users/${user.id}`, { token: h.admin.access, body: { isActive: false } });
    await expect.poll(() => byToken.ended && byKey.ended, { timeout: 10_000 }).toBe(true);
    expect(byToken.received.at(-1)).toMatchObject({ event: "error", data: { code: "UNAUTHORIZED" } });
  });

  it("refuses more streams than a user may hold, and bad parameters by name", async () => {
    const user = await h.makeUser("INTERN");
    const held = Array.from({ length: 4 }, () => open("/api/events", user.access));
    await Promise.all(held.map((s) => s.ready));
    expect(held.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    const fifth = open("/api/events", user.access);
    await fifth.ready;
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get("retry-after")).toBeTruthy();
    // A closed stream gives its place back.
    held[0]!.close();
    await expect
      .poll(
        async () => {
          const again = open("/api/events", user.access);
          await again.ready;
          again.close();
          return again.status;
        },
        { timeout: 10_000 },
      )
      .toBe(200);
    for (const s of held) s.close();
    const bad = await fetch(`${base}/api/events?type=task.exploded&nope=1`, {
      headers: { authorization: `Bearer ${h.admin.access}` },
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(["nope"]);
    const badType = await fetch(`${base}/api/events?type=task.exploded`, {
      headers: { authorization: `Bearer ${h.admin.access}` },
    });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { issues: { path: string }[] }).issues[0]!.path).toMatch(/^type/);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
  });

  it("an API key without tasks:read may not stream (403)", async () => {
    const key = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "no tasks", scopes: ["users:read"] },
    });
    const res = await fetch(`${base}/api/events`, {
      headers: { authorization: `Bearer ${key.body.secret}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/tasks:read/);
  });

  it("a server holds at most EVENTS_MAX_STREAMS streams, whoever opens them (503 past it)", async () => {
    const capped = await startHarness({ database, config: { EVENTS_MAX_STREAMS: "2" } });
    try {
      const actorOf = (u: TestUser) => ({ id: u.id, username: u.username, role: u.role });
      const a = await capped.makeUser("INTERN");
      const b = await capped.makeUser("INTERN");
      const c = await capped.makeUser("INTERN");
      const open = (u: TestUser, signal?: AbortSignal) =>
        capped.services.events.subscribe({ actor: actorOf(u), signal, stillAuthorized: async () => true });
      const leaving = new AbortController();
      await open(a, leaving.signal);
      await open(b);
      await expect(open(c)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      // A client that leaves (even before its stream sent anything) gives its place back.
      leaving.abort();
      await expect(open(c)).resolves.toBeDefined();
    } finally {
      await capped.services.events.stop();
    }
  });

  it("a client too slow to read is dropped, not buffered without limit", async () => {
    const slow = await startHarness({ database, config: { EVENTS_MAX_QUEUED: "5", EVENTS_POLL_MS: "50" } });
    try {
      const actor = { id: slow.admin.id, username: slow.admin.username, role: "ADMIN" as const };
      const stream = await slow.services.events.subscribe({ actor, stillAuthorized: async () => true });
      const first = stream.next();
      await slow.rest("POST", "/api/tasks", { token: slow.admin.access, body: { title: "slow 0" } });
      await first;
      for (let i = 1; i <= 20; i++) {
        await slow.rest("POST", "/api/tasks", { token: slow.admin.access, body: { title: `slow ${i}` } });
      }
      await new Promise((r) => setTimeout(r, 500));
      await expect(
        (async () => {
          for (;;) if ((await stream.next()).done) return "ended";
        })(),
      ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    } finally {
      await slow.services.events.stop();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)("events across replicas", () => {
  it("a stream on one server sees changes written through another", async () => {
    const database = await createTestDb("postgres");
    const one = await startHarness({ database });
    const two = await startHarness({
      database,
      config: { JWT_SECRET: one.config.JWT_SECRET, EVENTS_POLL_MS: "60000" },
    });
    const server = serve({ fetch: two.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const s = openStream(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`, {
      authorization: `Bearer ${one.admin.access}`,
    });
    try {
      await s.ready;
      await new Promise((r) => setTimeout(r, 300));
      await one.rest("POST", "/api/tasks", { token: one.admin.access, body: { title: "written on one" } });
      // Replica two polls once a minute here: only the first replica's notification can bring the event in time.
      await expect.poll(() => events(s).length, { timeout: 10_000 }).toBe(1);
      expect(events(s)[0]).toMatchObject({ type: "task.created", task: { title: "written on one" } });
    } finally {
      s.close();
      await one.services.events.stop();
      await two.services.events.stop();
      await new Promise((r) => server.close(r));
      await database.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("activity log", () => {
  let h: Harness;
  let alice: TestUser;
  beforeAll(async () => {
    h = await startHarness();
    alice = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("records create, each changed field, and delete, entry by entry", async () => {
    const created = (
      await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        body: { title: "logged", assigneeId: alice.id },
      })
    ).body;
    const updated = (
      await h.rest("PATCH", `/api/tasks/${created.id}`, {
        token: h.admin.access,
        body: { title: "logged!", priority: "HIGH", dueDate: "2030-06-01T12:00:00+02:00", description: "" },
      })
    ).body;
    const byAlice = (
      await h.rest("PATCH", `/api/tasks/${created.id}`, {
        token: alice.access,
        body: { status: "COMPLETED" },
      })
    ).body;
    await h.rest("DELETE", `/api/tasks/${created.id}`, { token: h.admin.access });

    const res = await h.rest("GET", `/api/tasks/logs?taskId=${created.id}&ordering=createdAt&pageSize=100`, {
      token: h.admin.access,
    });
    expect(res.status).toBe(200);
    const entries = res.body.results;
    expect(entries).toEqual([
      {
        id: expect.any(String),
        taskId: created.id,
        actorId: h.admin.id,
        action: "CREATED",
        field: null,
        oldValue: null,
        newValue: created,
        createdAt: created.createdAt,
      },
      expect.objectContaining({
        action: "UPDATED",
        field: "title",
        oldValue: "logged",
        newValue: "logged!",
        createdAt: updated.updatedAt,
      }),
      expect.objectContaining({
        action: "UPDATED",
        field: "priority",
        oldValue: "MEDIUM",
        newValue: "HIGH",
        actorId: h.admin.id,
      }),
      expect.objectContaining({
        action: "UPDATED",
        field: "dueDate",
        oldValue: null,
        newValue: "2030-06-01T10:00:00.000Z",
      }),
      expect.objectContaining({
        action: "UPDATED",
        field: "status",
        oldValue: "PENDING",
        newValue: "COMPLETED",
        actorId: alice.id,
        createdAt: byAlice.updatedAt,
      }),
      expect.objectContaining({
        action: "DELETED",
        field: null,
        oldValue: byAlice,
        newValue: null,
        actorId: h.admin.id,
      }),
    ]);
  });

  it("lists newest first by default, and filters by action, field, actor and time", async () => {
    const t = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "filters" } }))
      .body;
    await h.rest("PATCH", `/api/tasks/${t.id}`, { token: h.admin.access, body: { priority: "LOW" } });
    const newest = await h.rest("GET", "/api/tasks/logs?pageSize=1", { token: h.admin.access });
    expect(newest.body.results[0]).toMatchObject({ taskId: t.id, field: "priority" });

    const byField = await h.rest(
      "GET",
      `/api/tasks/logs?field=priority&action=UPDATED&actorId=${h.admin.id}`,
      { token: h.admin.access },
    );
    expect(
      byField.body.results.every(
        (e: { field: string; action: string }) => e.field === "priority" && e.action === "UPDATED",
      ),
    ).toBe(true);
    expect(byField.body.count).toBeGreaterThan(0);

    const since = new Date(Date.parse(t.createdAt)).toISOString();
    const window = await h.rest("GET", `/api/tasks/logs?since=${since}&until=${since}&taskId=${t.id}`, {
      token: h.admin.access,
    });
    expect(window.body.results.map((e: { action: string }) => e.action)).toEqual(["CREATED"]);

    const bad = await h.rest("GET", "/api/tasks/logs?action=EDITED", { token: h.admin.access });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/action/);
  });

  it("shows an intern only the entries of tasks they can see", async () => {
    const mine = (await h.rest("POST", "/api/tasks", { token: alice.access, body: { title: "alice's" } }))
      .body;
    const other = (
      await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "not alice's" } })
    ).body;
    const res = await h.rest("GET", "/api/tasks/logs?pageSize=100", { token: alice.access });
    const taskIds = new Set(res.body.results.map((e: { taskId: string }) => e.taskId));
    expect(taskIds.has(mine.id)).toBe(true);
    expect(taskIds.has(other.id)).toBe(false);
    const direct = await h.rest("GET", `/api/tasks/logs?taskId=${other.id}`, { token: alice.access });
    expect(direct.body.count).toBe(0);
    const viaTrpc = await h.trpc(alice).tasks.logsOf.query({ id: mine.id });
    expect(viaTrpc.results).toHaveLength(1);
  });

  it("writes nothing when a write fails half-way (a bad assignee in a multi-field change)", async () => {
    const t = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "atomic" } })).body;
    const res = await h.rest("PATCH", `/api/tasks/${t.id}`, {
      token: h.admin.access,
      body: { title: "atomic 2", assigneeId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(res.status).toBe(400);
    const after = (await h.rest("GET", `/api/tasks/${t.id}`, { token: h.admin.access })).body;
    expect(after).toEqual(t);
    expect((await h.rest("GET", `/api/tasks/${t.id}/logs`, { token: h.admin.access })).body.count).toBe(1);
  });
});

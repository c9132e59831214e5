import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("tasks", () => {
  let h: Harness;
  let alice: TestUser; // intern
  let bob: TestUser; // intern
  beforeAll(async () => {
    h = await startHarness();
    alice = await h.makeUser("INTERN");
    bob = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  const create = (user: TestUser, body: Record<string, unknown>) =>
    h.rest("POST", "/api/tasks", { token: user.access, body });

  describe("create", () => {
    it("answers 201 with the whole task and the contract's defaults", async () => {
      const res = await create(h.admin, {
        title: "  Write report  ",
        dueDate: "2026-12-01",
        assigneeId: alice.id,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        title: "Write report",
        description: "",
        status: "PENDING",
        priority: "MEDIUM",
        dueDate: "2026-12-01T23:59:59.999Z",
        assigneeId: alice.id,
        createdById: h.admin.id,
        createdAt: expect.any(String),
        updatedAt: res.body.createdAt,
        completedAt: null,
        version: 1,
      });
    });

    it("creates through the tRPC door with the same result shape", async () => {
      const task = await h.trpc(h.admin).tasks.create.mutate({ title: "via trpc", priority: "HIGH" });
      expect(task).toMatchObject({ title: "via trpc", priority: "HIGH", assigneeId: null, version: 1 });
    });

    it("sets completedAt when created COMPLETED", async () => {
      const res = await create(h.admin, { title: "done already", status: "COMPLETED" });
      expect(res.body.completedAt).toBe(res.body.createdAt);
    });

    it("refuses OVERDUE, unknown fields and bad values with a 400 naming each field", async () => {
      const overdue = await create(h.admin, { title: "x", status: "OVERDUE" });
      expect(overdue.status).toBe(400);
      expect(overdue.body.issues).toEqual([expect.objectContaining({ path: "status" })]);
      const typo = await create(h.admin, { title: "x", priorty: "HIGH" });
      expect(typo.status).toBe(400);
      const many = await create(h.admin, {
        title: "",
        priority: "URGENT",
        dueDate: "tomorrow",
        assigneeId: "nope",
      });
      expect(many.status).toBe(400);
      expect(many.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
        "assigneeId",
        "dueDate",
        "priority",
        "title",
      ]);
      expect(many.body.message).toMatch(/title/);
      const long = await create(h.admin, { title: "x".repeat(201) });
      expect(long.status).toBe(400);
      const desc = await create(h.admin, { title: "x", description: "d".repeat(10_001) });
      expect(desc.status).toBe(400);
    });

    it("refuses an assignee who does not exist or is deactivated (400)", async () => {
      const ghost = await create(h.admin, { title: "x", assigneeId: "00000000-0000-4000-8000-000000000000" });
      expect(ghost.status).toBe(400);
      expect(ghost.body.message).toMatch(/assigneeId/);
      const gone = await h.makeUser("INTERN");
      await h.rest("PATCH", `/api/users/${gone.id}`, { token: h.admin.access, body: { isActive: false } });
      expect((await create(h.admin, { title: "x", assigneeId: gone.id })).status).toBe(400);
    });

    it("lets an intern create for themselves only; empty means themselves", async () => {
      const own = await create(alice, { title: "mine" });
      expect(own.status).toBe(201);
      expect(own.body.assigneeId).toBe(alice.id);
      expect((await create(alice, { title: "mine too", assigneeId: alice.id })).status).toBe(201);
      expect((await create(alice, { title: "for bob", assigneeId: bob.id })).status).toBe(403);
    });

    it("answers a malformed JSON body with a 400", async () => {
      const res = await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        rawBody: "{not json",
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    });
  });

  describe("visibility", () => {
    let bobsTask: string;
    let assignedToAlice: string;
    beforeAll(async () => {
      bobsTask = (await create(bob, { title: "bob's secret" })).body.id;
      assignedToAlice = (await create(h.admin, { title: "for alice", assigneeId: alice.id })).body.id;
    });

    it("an intern sees tasks assigned to them or created by them, nothing else", async () => {
      const list = await h.rest("GET", "/api/tasks?pageSize=100", { token: alice.access });
      expect(list.status).toBe(200);
      const ids = list.body.results.map((t: { id: string }) => t.id);
      expect(ids).toContain(assignedToAlice);
      expect(ids).not.toContain(bobsTask);
      for (const t of list.body.results)
        expect(t.assigneeId === alice.id || t.createdById === alice.id).toBe(true);
    });

    it("an intern gets 404, not 403, for a task they may not see, whatever they try", async () => {
      expect((await h.rest("GET", `/api/tasks/${bobsTask}`, { token: alice.access })).status).toBe(404);
      expect(
        (
          await h.rest("PATCH", `/api/tasks/${bobsTask}`, {
            token: alice.access,
            body: { status: "COMPLETED" },
          })
        ).status,
      ).toBe(404);
      expect((await h.rest("GET", `/api/tasks/${bobsTask}/logs`, { token: alice.access })).status).toBe(404);
      await expect(h.trpc(alice).tasks.get.query({ id: bobsTask })).rejects.toMatchObject({
        data: { code: "NOT_FOUND" },
      });
    });

    it("an admin sees every task", async () => {
      expect((await h.rest("GET", `/api/tasks/${bobsTask}`, { token: h.admin.access })).status).toBe(200);
    });
  });

  describe("update rules for interns", () => {
    it("may change details only on tasks they created, status on tasks assigned to them too", async () => {
      const byAdmin = (await create(h.admin, { title: "assigned", assigneeId: alice.id })).body;
      const title = await h.rest("PATCH", `/api/tasks/${byAdmin.id}`, {
        token: alice.access,
        body: { title: "hijack" },
      });
      expect(title.status).toBe(403);
      for (const body of [{ description: "x" }, { priority: "HIGH" }, { dueDate: "2030-01-01" }]) {
        expect(
          (await h.rest("PATCH", `/api/tasks/${byAdmin.id}`, { token: alice.access, body })).status,
        ).toBe(403);
      }
      const status = await h.rest("PATCH", `/api/tasks/${byAdmin.id}`, {
        token: alice.access,
        body: { status: "IN_PROGRESS" },
      });
      expect(status.status).toBe(200);
      expect(status.body.status).toBe("IN_PROGRESS");

      const own = (await create(alice, { title: "own" })).body;
      const edit = await h.rest("PATCH", `/api/tasks/${own.id}`, {
        token: alice.access,
        body: { title: "own, renamed", description: "d", priority: "LOW", dueDate: null },
      });
      expect(edit.status).toBe(200);
      expect(edit.body).toMatchObject({
        title: "own, renamed",
        description: "d",
        priority: "LOW",
        version: 2,
      });
    });

    it("may never change an assignee, and may not delete", async () => {
      const own = (await create(alice, { title: "own" })).body;
      expect(
        (await h.rest("PATCH", `/api/tasks/${own.id}`, { token: alice.access, body: { assigneeId: bob.id } }))
          .status,
      ).toBe(403);
      expect((await h.rest("DELETE", `/api/tasks/${own.id}`, { token: alice.access })).status).toBe(403);
      expect((await h.rest("GET", `/api/tasks/${own.id}`, { token: alice.access })).body.assigneeId).toBe(
        alice.id,
      );
    });
  });

  describe("status rules", () => {
    it("sets completedAt on COMPLETED and clears it when the task leaves COMPLETED", async () => {
      const task = (await create(h.admin, { title: "finish me" })).body;
      const done = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { status: "COMPLETED" },
      });
      expect(done.body.completedAt).toBe(done.body.updatedAt);
      const again = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { status: "PENDING" },
      });
      expect(again.body.completedAt).toBeNull();
      expect(again.body.version).toBe(3);
    });

    it("refuses OVERDUE from a client on update", async () => {
      const task = (await create(h.admin, { title: "t" })).body;
      const res = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { status: "OVERDUE" },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/status/);
    });

    it("puts an OVERDUE task back to PENDING when its due date moves to the future or to null", async () => {
      for (const dueDate of ["2099-01-01", null]) {
        const task = (await create(h.admin, { title: "late", dueDate: "2020-01-01" })).body;
        await h.database.db.execute(
          (await import("drizzle-orm"))
            .sql`update tasks set status = 'OVERDUE', version = version + 1 where id = ${task.id}`,
        );
        const res = await h.rest("PATCH", `/api/tasks/${task.id}`, {
          token: h.admin.access,
          body: { dueDate },
        });
        expect(res.status).toBe(200);
        expect(res.body.status).toBe("PENDING");
        const logs = await h.rest("GET", `/api/tasks/${task.id}/logs?pageSize=10`, { token: h.admin.access });
        const fields = logs.body.results
          .filter((e: { action: string }) => e.action === "UPDATED")
          .map((e: { field: string }) => e.field);
        expect(fields.sort()).toEqual(["dueDate", "status"]);
      }
    });
  });

  describe("versions", () => {
    it("compare-and-set: a stale version is a 409 that changes nothing", async () => {
      const task = (await create(h.admin, { title: "cas" })).body;
      const ok = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { title: "cas 2", version: 1 },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.version).toBe(2);
      const stale = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { title: "lost", version: 1 },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe("CONFLICT");
      const now = await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access });
      expect(now.body).toMatchObject({ title: "cas 2", version: 2 });
      const logs = await h.rest("GET", `/api/tasks/${task.id}/logs`, { token: h.admin.access });
      expect(logs.body.count).toBe(2); // CREATED + one UPDATED
    });

    it("a change that changes nothing keeps the version and writes nothing", async () => {
      const task = (await create(h.admin, { title: "same", priority: "LOW" })).body;
      const res = await h.rest("PATCH", `/api/tasks/${task.id}`, {
        token: h.admin.access,
        body: { title: "same", priority: "LOW" },
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(1);
      expect(res.body.updatedAt).toBe(task.updatedAt);
      const logs = await h.rest("GET", `/api/tasks/${task.id}/logs`, { token: h.admin.access });
      expect(logs.body.count).toBe(1);
    });
  });

  describe("delete", () => {
    it("answers 204, then 404, and keeps the history", async () => {
      const task = (await create(h.admin, { title: "doomed" })).body;
      const del = await h.rest("DELETE", `/api/tasks/${task.id}`, { token: h.admin.access });
      expect(del.status).toBe(204);
      expect(del.body).toBeNull();
      expect((await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access })).status).toBe(404);
      expect((await h.rest("DELETE", `/api/tasks/${task.id}`, { token: h.admin.access })).status).toBe(404);
      const logs = await h.rest("GET", `/api/tasks/${task.id}/logs`, { token: h.admin.access });
      expect(logs.status).toBe(200);
      expect(logs.body.results.map((e: { action: string }) => e.action)).toEqual(["DELETED", "CREATED"]);
      expect(logs.body.results[0].oldValue).toEqual(task);
    });

    it("deletes through the tRPC door", async () => {
      const task = (await create(h.admin, { title: "doomed too" })).body;
      await h.trpc(h.admin).tasks.delete.mutate({ id: task.id });
      expect((await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access })).status).toBe(404);
    });
  });

  describe("the REST door", () => {
    it("answers every path with and without a trailing slash", async () => {
      const task = (await create(h.admin, { title: "slashes" })).body;
      for (const path of [
        "/api/tasks",
        "/api/tasks/",
        `/api/tasks/${task.id}`,
        `/api/tasks/${task.id}/`,
        "/api/tasks/logs/",
        "/api/auth/me/",
      ]) {
        const res = await h.rest("GET", path, { token: h.admin.access });
        expect(res.status, path).toBe(200);
      }
      expect(
        (await h.rest("POST", "/api/tasks/", { token: h.admin.access, body: { title: "slash post" } }))
          .status,
      ).toBe(201);
    });

    it("never takes /api/tasks/logs for a task id", async () => {
      const res = await h.rest("GET", "/api/tasks/logs", { token: h.admin.access });
      expect(res.status).toBe(200);
      expect(res.body).toHaveProperty("results");
      expect(res.body.results[0]).toHaveProperty("action");
    });

    it("works behind a host whose name contains the /api prefix", async () => {
      const res = await h.app.request("http://api.example.com/api/tasks", {
        headers: { authorization: `Bearer ${h.admin.access}`, host: "api.example.com" },
      });
      expect(res.status).toBe(200);
    });

    it("answers a bad query parameter with a 400 naming it", async () => {
      for (const [query, name] of [
        ["status=DONE", "status"],
        ["ordering=-colour", "ordering"],
        ["assigneeId=12", "assigneeId"],
        ["dueBefore=yesterday", "dueBefore"],
        ["pageSize=1000", "pageSize"],
        ["page=0", "page"],
        [`search=${"s".repeat(201)}`, "search"],
      ] as const) {
        const res = await h.rest("GET", `/api/tasks?${query}`, { token: h.admin.access });
        expect(res.status, query).toBe(400);
        expect(res.body.message, query).toContain(name);
        expect(res.body.issues[0].path, query).toBe(name);
      }
    });

    it("a page past the end is an empty page, not an error", async () => {
      const res = await h.rest("GET", "/api/tasks?page=9999", { token: h.admin.access });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
      expect(res.body.next).toBeNull();
    });
  });
});

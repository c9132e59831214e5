import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// Errors that help (issue 22, item 3): each names what is wrong and, where a field is wrong, lists it in issues.
describe("errors that help", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it("an invalid enum lists the valid values", async () => {
    const res = await h.rest("GET", "/api/tasks?status=DONE", { token: h.admin.access });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toMatch(/^status/);
    for (const value of ["PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE"])
      expect(res.body.message).toContain(value);
    const body = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "t", priority: "URGENT" },
    });
    expect(body.status).toBe(400);
    for (const value of ["LOW", "MEDIUM", "HIGH"]) expect(body.body.message).toContain(value);
  });

  it("a date-time without an offset says the offset is missing", async () => {
    const res = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "t", dueDate: "2026-12-01T17:00:00" },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe("dueDate");
    expect(res.body.message).toMatch(/no offset/);
  });

  it("a 400 about one field found after parsing names it in issues too: cursor, assigneeId, currentPassword", async () => {
    const token = h.admin.access;
    const first = await h.rest("GET", "/api/tasks?pageSize=1", { token });
    const cursor = encodeURIComponent(first.body.nextCursor ?? "x.y");
    const mismatch = await h.rest("GET", `/api/tasks?pageSize=2&cursor=${cursor}`, { token });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.issues).toEqual([expect.objectContaining({ path: "cursor" })]);
    const forged = await h.rest("GET", "/api/tasks?cursor=nonsense", { token });
    expect(forged.body.issues).toEqual([expect.objectContaining({ path: "cursor" })]);
    const assignee = await h.rest("POST", "/api/tasks", {
      token,
      body: { title: "t", assigneeId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(assignee.status).toBe(400);
    expect(assignee.body.issues).toEqual([expect.objectContaining({ path: "assigneeId" })]);
    const intern = await h.makeUser("INTERN");
    const password = await h.rest("PATCH", `/api/users/${intern.id}`, {
      token: intern.access,
      body: { password: "a-new-long-passphrase-42" },
    });
    expect(password.status).toBe(400);
    expect(password.body.issues).toEqual([expect.objectContaining({ path: "currentPassword" })]);
  });

  it("GET / says where the reference and the doors are", async () => {
    const res = await h.rest("GET", "/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      docs: "/docs",
      openapi: "/api/openapi.json",
      rest: "/api",
      trpc: "/trpc",
    });
  });

  it("a body on an operation that takes none is refused (400), naming what was sent", async () => {
    const token = h.admin.access;
    const unknown = await h.rest("POST", "/api/admin/overdue-sweep", { token, body: { dryRun: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues?.[0]?.path).toBe("dryRun");
    const garbage = await h.rest("POST", "/api/admin/overdue-sweep", {
      token,
      rawBody: "garbage",
      headers: { "content-type": "application/json" },
    });
    expect(garbage.status).toBe(400);
    const task = await h.rest("POST", "/api/tasks", { token, body: { title: "kept" } });
    const del = await h.rest("DELETE", `/api/tasks/${task.body.id}`, {
      token,
      body: { reason: "x" },
    });
    expect(del.status).toBe(400);
    expect((await h.rest("GET", `/api/tasks/${task.body.id}`, { token })).status).toBe(200);
  });
});

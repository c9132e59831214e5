import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// The REST adapter once set zod's `coerce` flag on the router's own schemas the first time it served a
// request, so the tRPC door then took "false" as true. Both doors must accept exactly what the contract
// allows, whatever traffic came before.
describe("the two doors share schemas without changing them", () => {
  let h: Harness;
  let intern: TestUser;
  let taskId: string;
  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
    // REST traffic first, through every kind of input the adapter could coerce: a query, a body, a path.
    expect((await h.rest("GET", "/api/users?isActive=false&page=1", { token: h.admin.access })).status).toBe(
      200,
    );
    expect(
      (
        await h.rest("PATCH", `/api/users/${intern.id}`, {
          token: h.admin.access,
          body: { isActive: true },
        })
      ).status,
    ).toBe(200);
    const created = await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "t" } });
    taskId = created.body.id;
    expect(
      (await h.rest("PATCH", `/api/tasks/${taskId}`, { token: h.admin.access, body: { version: 1 } })).status,
    ).toBe(200);
  });
  afterAll(() => h?.close());

  it.each([
    ["the string false", "false"],
    ["yes", "yes"],
    ["an object", {}],
    ["a number", 0],
  ])("tRPC refuses isActive as %s after REST traffic, and the user stays as they were", async (_, value) => {
    const call = h
      .trpc(h.admin)
      .users.update.mutate({ id: intern.id, isActive: value as unknown as boolean });
    await expect(call).rejects.toMatchObject({ data: { code: "BAD_REQUEST", httpStatus: 400 } });
    expect((await h.rest("GET", `/api/users/${intern.id}`, { token: h.admin.access })).body.isActive).toBe(
      true,
    );
  });

  it.each([
    ["a numeric string", "2"],
    ["true", true],
  ])("tRPC refuses a task version given as %s after REST traffic", async (_, value) => {
    const call = h.trpc(h.admin).tasks.update.mutate({ id: taskId, version: value as unknown as number });
    await expect(call).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  });

  it.each([
    ["isActive", { isActive: "false" }],
    ["isActive", { isActive: "yes" }],
  ])("REST refuses %s given as a string in a JSON body", async (field, body) => {
    const res = await h.rest("PATCH", `/api/users/${intern.id}`, { token: h.admin.access, body });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual([field]);
  });

  it("REST still reads query-string booleans and numbers", async () => {
    const res = await h.rest("GET", "/api/users?isActive=true&page=1&pageSize=5", { token: h.admin.access });
    expect(res.status).toBe(200);
    expect(res.body.pageSize).toBe(5);
    expect((await h.rest("GET", "/api/users?isActive=maybe", { token: h.admin.access })).status).toBe(400);
  });
});

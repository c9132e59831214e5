import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// Issue 17, finding 10: a blank password, the username, or a common password is refused wherever one is set.
describe("password policy", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const paths = (body: { issues?: { path: string }[] }) => body.issues?.map((i) => i.path);
  const weak = (username: string) => [username.toUpperCase(), " ".repeat(12), "Password1"];

  it("refuses a weak password on create, through either door (400 naming password)", async () => {
    for (const password of weak("grace.h")) {
      const res = await h.rest("POST", "/api/users", {
        token: h.admin.access,
        body: { username: "grace.h", password, role: "INTERN" },
      });
      expect(res.status, password).toBe(400);
      expect(paths(res.body)).toEqual(["password"]);
      expect(res.body.message).toMatch(/^password: /);
      await expect(
        h.trpc(h.admin).users.create.mutate({ username: "grace.h", password, role: "INTERN" }),
      ).rejects.toMatchObject({ data: { code: "BAD_REQUEST", issues: [{ path: "password" }] } });
    }
    expect((await h.rest("GET", "/api/users?search=grace.h", { token: h.admin.access })).body.count).toBe(0);
  });

  it("refuses a weak password on an admin's reset", async () => {
    const u = await h.makeUser("INTERN");
    for (const password of weak(u.username)) {
      const res = await h.rest("PATCH", `/api/users/${u.id}`, { token: h.admin.access, body: { password } });
      expect(res.status, password).toBe(400);
      expect(paths(res.body)).toEqual(["password"]);
    }
    await h.login(u.username, u.password);
  });

  it("refuses a weak password on a change of one's own, through either door", async () => {
    const u = await h.makeUser("INTERN");
    for (const password of weak(u.username)) {
      const res = await h.rest("PATCH", `/api/users/${u.id}`, {
        token: u.access,
        body: { password, currentPassword: u.password },
      });
      expect(res.status, password).toBe(400);
      expect(paths(res.body)).toEqual(["password"]);
      await expect(
        h.trpc(u).users.update.mutate({ id: u.id, password, currentPassword: u.password }),
      ).rejects.toMatchObject({ data: { code: "BAD_REQUEST", issues: [{ path: "password" }] } });
    }
    await h.login(u.username, u.password);
  });
});

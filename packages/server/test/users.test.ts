import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("users", () => {
  let h: Harness;
  let intern: TestUser;
  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  describe("admin", () => {
    it("creates a user (201) who can then log in", async () => {
      const res = await h.rest("POST", "/api/users", {
        token: h.admin.access,
        body: { username: "new.person", password: "long-enough", role: "INTERN", email: "n@example.com" },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        username: "new.person",
        role: "INTERN",
        email: "n@example.com",
        isActive: true,
      });
      expect(res.body).not.toHaveProperty("passwordHash");
      expect(
        (
          await h.rest("POST", "/api/auth/login", {
            body: { username: "new.person", password: "long-enough" },
          })
        ).status,
      ).toBe(200);
    });

    it("refuses a username taken in another case (409)", async () => {
      const res = await h.rest("POST", "/api/users", {
        token: h.admin.access,
        body: { username: intern.username.toUpperCase(), password: "long-enough", role: "INTERN" },
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("CONFLICT");
    });

    it("names the bad fields of a create", async () => {
      const res = await h.rest("POST", "/api/users", {
        token: h.admin.access,
        body: { username: "a b", password: "short", role: "BOSS" },
      });
      expect(res.status).toBe(400);
      const paths = res.body.issues.map((i: { path: string }) => i.path).sort();
      expect(paths).toEqual(["password", "role", "username"]);
      expect(res.body.message).toMatch(/username/);
    });

    it("checks who may see a user after reading the input: an intern's malformed id is a 400, not a 403", async () => {
      const res = await h.rest("GET", "/api/users/not-a-uuid", { token: intern.access });
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(["id"]);
    });

    it("refuses a page number and a cursor together (400 naming cursor), on both doors", async () => {
      const first = await h.rest("GET", "/api/users?pageSize=1", { token: h.admin.access });
      expect(first.body.nextCursor).toBeTruthy();
      const cursor = encodeURIComponent(first.body.nextCursor);
      const res = await h.rest("GET", `/api/users?pageSize=1&page=2&cursor=${cursor}`, {
        token: h.admin.access,
      });
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(["cursor"]);
      await expect(
        h.trpc(h.admin).users.list.query({ pageSize: 1, page: 2, cursor: first.body.nextCursor }),
      ).rejects.toMatchObject({ data: { code: "BAD_REQUEST", httpStatus: 400 } });
    });

    it("lists users with filters and paging", async () => {
      const res = await h.rest(
        "GET",
        `/api/users?role=INTERN&isActive=true&search=${intern.username}&pageSize=5`,
        {
          token: h.admin.access,
        },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        count: 1,
        page: 1,
        pageSize: 5,
        totalPages: 1,
        next: null,
        previous: null,
      });
      expect(res.body.results[0].id).toBe(intern.id);
      const admins = await h.trpc(h.admin).users.list.query({ role: "ADMIN", isActive: true });
      expect(admins.results.every((u) => u.role === "ADMIN")).toBe(true);
    });

    it("treats % and _ in a search literally", async () => {
      const res = await h.rest("GET", "/api/users?search=%25", { token: h.admin.access });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(0);
    });

    it("reads isActive=false from a query string as false", async () => {
      const res = await h.rest("GET", "/api/users?isActive=false", { token: h.admin.access });
      expect(res.status).toBe(200);
      expect(res.body.results.every((u: { isActive: boolean }) => !u.isActive)).toBe(true);
      expect((await h.rest("GET", "/api/users?isActive=maybe", { token: h.admin.access })).status).toBe(400);
    });

    it("changes another user's role, email and password without their current password", async () => {
      const u = await h.makeUser("INTERN");
      const res = await h.rest("PATCH", `/api/users/${u.id}/`, {
        token: h.admin.access,
        body: { role: "ADMIN", email: "x@example.com", password: "brand-new-pw" },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ role: "ADMIN", email: "x@example.com" });
      await h.login(u.username, "brand-new-pw");
    });

    it("gets any user; an unknown id is 404 and a malformed one 400", async () => {
      expect((await h.rest("GET", `/api/users/${intern.id}`, { token: h.admin.access })).status).toBe(200);
      expect(
        (await h.rest("GET", "/api/users/00000000-0000-4000-8000-000000000000", { token: h.admin.access }))
          .status,
      ).toBe(404);
      const bad = await h.rest("GET", "/api/users/not-a-uuid", { token: h.admin.access });
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe("id");
    });
  });

  describe("intern", () => {
    it("may not list or create users (403)", async () => {
      expect((await h.rest("GET", "/api/users", { token: intern.access })).status).toBe(403);
      const create = await h.rest("POST", "/api/users", {
        token: intern.access,
        body: { username: "sneaky", password: "long-enough", role: "ADMIN" },
      });
      expect(create.status).toBe(403);
      await expect(h.trpc(intern).users.list.query({})).rejects.toMatchObject({
        data: { code: "FORBIDDEN" },
      });
    });

    it("reads themself but not another user", async () => {
      expect((await h.rest("GET", `/api/users/${intern.id}`, { token: intern.access })).status).toBe(200);
      expect((await h.rest("GET", `/api/users/${h.admin.id}`, { token: intern.access })).status).toBe(403);
    });

    it("may not change their role or active flag, nor anyone else", async () => {
      expect(
        (await h.rest("PATCH", `/api/users/${intern.id}`, { token: intern.access, body: { role: "ADMIN" } }))
          .status,
      ).toBe(403);
      expect(
        (
          await h.rest("PATCH", `/api/users/${intern.id}`, {
            token: intern.access,
            body: { isActive: false },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await h.rest("PATCH", `/api/users/${h.admin.id}`, {
            token: intern.access,
            body: { email: "a@b.co" },
          })
        ).status,
      ).toBe(403);
    });

    it("changes their own email", async () => {
      const res = await h.rest("PATCH", `/api/users/${intern.id}`, {
        token: intern.access,
        body: { email: "me@example.com" },
      });
      expect(res.status).toBe(200);
      expect(res.body.email).toBe("me@example.com");
    });

    it("changes their own password only with the current one, and that ends their other sessions", async () => {
      const u = await h.makeUser("INTERN");
      const missing = await h.rest("PATCH", `/api/users/${u.id}`, {
        token: u.access,
        body: { password: "another-pass" },
      });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/currentPassword/);
      const wrong = await h.rest("PATCH", `/api/users/${u.id}`, {
        token: u.access,
        body: { password: "another-pass", currentPassword: "not-it-at-all" },
      });
      expect(wrong.status).toBe(400);
      const ok = await h.rest("PATCH", `/api/users/${u.id}`, {
        token: u.access,
        body: { password: "another-pass", currentPassword: u.password },
      });
      expect(ok.status).toBe(200);
      expect((await h.rest("POST", "/api/auth/refresh", { body: { refresh: u.refresh } })).status).toBe(401);
      await h.login(u.username, "another-pass");
    });
  });

  describe("the last active admin", () => {
    it("cannot be demoted or deactivated (409)", async () => {
      const solo = await startHarness();
      try {
        const demote = await solo.rest("PATCH", `/api/users/${solo.admin.id}`, {
          token: solo.admin.access,
          body: { role: "INTERN" },
        });
        expect(demote.status).toBe(409);
        const off = await solo.rest("PATCH", `/api/users/${solo.admin.id}`, {
          token: solo.admin.access,
          body: { isActive: false },
        });
        expect(off.status).toBe(409);
        expect((await solo.rest("GET", "/api/auth/me", { token: solo.admin.access })).body.role).toBe(
          "ADMIN",
        );
      } finally {
        await solo.close();
      }
    });

    it("survives two concurrent demotions of the last two admins: exactly one succeeds", async () => {
      const duo = await startHarness();
      try {
        const second = await duo.makeUser("ADMIN");
        const results = await Promise.all([
          // Each demotes themself, so both pass the role check before either commits.
          duo.rest("PATCH", `/api/users/${duo.admin.id}`, {
            token: duo.admin.access,
            body: { role: "INTERN" },
          }),
          duo.rest("PATCH", `/api/users/${second.id}`, { token: second.access, body: { isActive: false } }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses).toEqual([200, 409]);
        const admins = await duo.services.users.list({ role: "ADMIN", isActive: true, pageSize: 10 });
        expect(admins.count).toBe(1);
      } finally {
        await duo.close();
      }
    });
  });
});

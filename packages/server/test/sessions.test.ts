import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// An access token belongs to a session (its refresh-token family) and ends with it, at once: the session is
// checked on every call, in the database every replica shares, not only when the token expires.
describe("access tokens end with their session", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const me = (token: string) => h.rest("GET", "/api/auth/me", { token });
  const meOverTrpc = (token: string) =>
    h
      .trpc({ access: token })
      .auth.me.query()
      .then(
        () => 200,
        (err) => err.data?.httpStatus as number,
      );

  it("logout ends that session's access tokens on both doors, and only that session's", async () => {
    const user = await h.makeUser("INTERN");
    const other = await h.login(user.username, user.password);
    expect((await me(user.access)).status).toBe(200);
    const out = await h.rest("POST", "/api/auth/logout", {
      token: user.access,
      body: { refresh: user.refresh },
    });
    expect(out.status).toBe(204);
    const after = await me(user.access);
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/session/i);
    expect(await meOverTrpc(user.access)).toBe(401);
    expect((await me(other.access)).status).toBe(200);
  });

  it("a password change ends every session of the user, including the one that made it", async () => {
    const user = await h.makeUser("INTERN");
    const second = await h.login(user.username, user.password);
    const changed = await h.rest("PATCH", `/api/users/${user.id}`, {
      token: user.access,
      body: { password: "a-new-password-42", currentPassword: user.password },
    });
    expect(changed.status).toBe(200);
    expect((await me(user.access)).status).toBe(401);
    expect((await me(second.access)).status).toBe(401);
    expect(await meOverTrpc(second.access)).toBe(401);
    const fresh = await h.login(user.username, "a-new-password-42");
    expect((await me(fresh.access)).status).toBe(200);
  });

  it("an admin's password reset ends the user's sessions", async () => {
    const user: TestUser = await h.makeUser("INTERN");
    const reset = await h.rest("PATCH", `/api/users/${user.id}`, {
      token: h.admin.access,
      body: { password: "reset-by-admin-77" },
    });
    expect(reset.status).toBe(200);
    expect((await me(user.access)).status).toBe(401);
  });

  it("a reused refresh token ends its family's access tokens, the rotated ones too", async () => {
    const user = await h.makeUser("INTERN");
    const rotated = await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect(rotated.status).toBe(200);
    expect((await me(rotated.body.access)).status).toBe(200);
    // The first refresh token again: someone replayed it.
    expect((await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } })).status).toBe(401);
    expect((await me(user.access)).status).toBe(401);
    expect((await me(rotated.body.access)).status).toBe(401);
  });

  it("refreshing keeps the session: the old access token stays valid until it expires", async () => {
    const user = await h.makeUser("INTERN");
    const rotated = await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect((await me(user.access)).status).toBe(200);
    expect((await me(rotated.body.access)).status).toBe(200);
  });

  it("token answers are not cached", async () => {
    const user = await h.makeUser("INTERN");
    const login = await h.rest("POST", "/api/auth/login", {
      body: { username: user.username, password: user.password },
    });
    expect(login.headers.get("cache-control")).toBe("no-store");
    const refreshed = await h.rest("POST", "/api/auth/refresh", { body: { refresh: login.body.refresh } });
    expect(refreshed.headers.get("cache-control")).toBe("no-store");
  });
});

import { createHmac } from "node:crypto";
import { TRPCClientError } from "@trpc/client";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("authentication", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { LOGIN_MAX_FAILURES: "3" } });
  });
  afterAll(() => h?.close());

  it("logs in and returns the contract's token pair", async () => {
    const res = await h.rest("POST", "/api/auth/login", {
      body: { username: h.admin.username, password: h.admin.password },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    const [header, payload] = res.body.access
      .split(".")
      .slice(0, 2)
      .map((p: string) => JSON.parse(Buffer.from(p, "base64url").toString()));
    expect(header.alg).toBe("HS256");
    expect(payload).toMatchObject({ sub: h.admin.id, role: "ADMIN", typ: "access" });
    expect(payload.jti).toBeTruthy();
    expect(payload.exp - payload.iat).toBe(900);
  });

  it("logs in usernames case-insensitively", async () => {
    const res = await h.rest("POST", "/api/auth/login", {
      body: { username: h.admin.username.toUpperCase(), password: h.admin.password },
    });
    expect(res.status).toBe(200);
  });

  it("answers unknown users and wrong passwords with the same 401", async () => {
    const unknown = await h.rest("POST", "/api/auth/login", {
      body: { username: "nobody-here", password: "whatever1" },
    });
    const wrong = await h.rest("POST", "/api/auth/login", {
      body: { username: h.admin.username, password: "wrong-password" },
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(unknown.body.code).toBe("UNAUTHORIZED");
  });

  it("returns the current user without a password hash", async () => {
    const res = await h.rest("GET", "/api/auth/me", { token: h.admin.access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: h.admin.id,
      username: h.admin.username,
      email: null,
      role: "ADMIN",
      isActive: true,
      kind: "PERSON",
      createdAt: expect.any(String),
    });
    const viaTrpc = await h.trpc(h.admin).auth.me.query();
    expect(viaTrpc).toEqual(res.body);
  });

  describe("forged and broken access tokens are 401", () => {
    const cases: Array<[string, (h: Harness) => Promise<string> | string]> = [
      ["no token", () => ""],
      ["not a JWT", () => "abc.def"],
      [
        "alg none",
        (h) => {
          const payload = JSON.parse(Buffer.from(h.admin.access.split(".")[1]!, "base64url").toString());
          return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
        },
      ],
      [
        "another algorithm (HS512, same secret)",
        (h) => {
          const payload = JSON.parse(Buffer.from(h.admin.access.split(".")[1]!, "base64url").toString());
          return sign(payload, h.config.JWT_SECRET, "HS512");
        },
      ],
      [
        "another secret",
        (h) => {
          const payload = JSON.parse(Buffer.from(h.admin.access.split(".")[1]!, "base64url").toString());
          return sign(payload, "x".repeat(40), "HS256");
        },
      ],
      [
        "an edited payload",
        (h) => {
          const [header, payload, signature] = h.admin.access.split(".");
          const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
          return `${header}.${b64({ ...claims, role: "ADMIN", sub: "00000000-0000-4000-8000-000000000000" })}.${signature}`;
        },
      ],
      [
        "an expired token",
        (h) => {
          const now = Math.floor(Date.now() / 1000);
          return sign(
            { sub: h.admin.id, role: "ADMIN", typ: "access", jti: "x", iat: now - 100, exp: now - 10 },
            h.config.JWT_SECRET,
            "HS256",
          );
        },
      ],
      [
        "a token of another type",
        (h) => {
          const now = Math.floor(Date.now() / 1000);
          return sign(
            { sub: h.admin.id, role: "ADMIN", typ: "refresh", jti: "x", iat: now, exp: now + 100 },
            h.config.JWT_SECRET,
            "HS256",
          );
        },
      ],
      [
        "a hand-rolled HS256 signature with a wrong key",
        (h) => {
          const [header, payload] = h.admin.access.split(".");
          const sig = createHmac("sha256", "wrong").update(`${header}.${payload}`).digest("base64url");
          return `${header}.${payload}.${sig}`;
        },
      ],
    ];
    it.each(cases)("%s", async (_name, make) => {
      const token = await make(h);
      const res = await h.rest("GET", "/api/auth/me", token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("UNAUTHORIZED");
    });

    // Verified tokens are remembered by their text (services/tokens.ts): what was accepted once must still expire,
    // and a token one character away from an accepted one is a different token.
    it("a token accepted before, once it has expired", async () => {
      const now = Math.floor(Date.now() / 1000);
      // The admin's live session, so that only the expiry can refuse the token.
      const { sid } = JSON.parse(Buffer.from(h.admin.access.split(".")[1]!, "base64url").toString());
      const token = await sign(
        { sub: h.admin.id, role: "ADMIN", typ: "access", sid, jti: "short", iat: now, exp: now + 2 },
        h.config.JWT_SECRET,
        "HS256",
      );
      expect((await h.rest("GET", "/api/auth/me", { token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, (now + 2) * 1000 - Date.now() + 50));
      const res = await h.rest("GET", "/api/auth/me", { token });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/expired/);
    });

    it("an accepted token with one character of its signature changed", async () => {
      expect((await h.rest("GET", "/api/auth/me", { token: h.admin.access })).status).toBe(200);
      const at = h.admin.access.lastIndexOf(".") + 5;
      const swapped = h.admin.access[at] === "A" ? "B" : "A";
      const token = h.admin.access.slice(0, at) + swapped + h.admin.access.slice(at + 1);
      expect((await h.rest("GET", "/api/auth/me", { token })).status).toBe(401);
    });

    it("a malformed Authorization header", async () => {
      const res = await h.rest("GET", "/api/auth/me", {
        headers: { authorization: `Token ${h.admin.access}` },
      });
      expect(res.status).toBe(401);
    });
  });

  it("rotates refresh tokens: the old one is spent, and reusing it revokes the family", async () => {
    const user = await h.makeUser("INTERN");
    const first = await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect(first.status).toBe(200);
    expect(first.body.refresh).not.toBe(user.refresh);
    const second = await h.rest("POST", "/api/auth/refresh", { body: { refresh: first.body.refresh } });
    expect(second.status).toBe(200);

    // The thief replays the first token: the whole family dies, including the victim's newest token.
    const replay = await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect(replay.status).toBe(401);
    const victim = await h.rest("POST", "/api/auth/refresh", { body: { refresh: second.body.refresh } });
    expect(victim.status).toBe(401);

    // Other logins of the same user are other families and keep working.
    const other = await h.login(user.username, user.password);
    expect((await h.rest("POST", "/api/auth/refresh", { body: { refresh: other.refresh } })).status).toBe(
      200,
    );
  });

  it("refreshes through the tRPC door too", async () => {
    const user = await h.makeUser("INTERN");
    const pair = await h.trpc().auth.refresh.mutate({ refresh: user.refresh });
    expect(pair.tokenType).toBe("Bearer");
    await expect(h.trpc().auth.refresh.mutate({ refresh: user.refresh })).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("refuses an expired refresh token", async () => {
    const short = await startHarness({ config: { REFRESH_TOKEN_TTL: "1" }, database: h.database });
    const user = await short.makeUser("INTERN");
    await new Promise((r) => setTimeout(r, 1100));
    const res = await short.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it("logout revokes the family of that refresh token", async () => {
    const user = await h.makeUser("INTERN");
    const out = await h.rest("POST", "/api/auth/logout", {
      token: user.access,
      body: { refresh: user.refresh },
    });
    expect(out.status).toBe(204);
    const res = await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } });
    expect(res.status).toBe(401);
  });

  it("logout needs an access token", async () => {
    const user = await h.makeUser("INTERN");
    const out = await h.rest("POST", "/api/auth/logout", { body: { refresh: user.refresh } });
    expect(out.status).toBe(401);
  });

  it("cuts off a deactivated user's live access token at once, and their refresh tokens", async () => {
    const user = await h.makeUser("INTERN");
    expect((await h.rest("GET", "/api/auth/me", { token: user.access })).status).toBe(200);
    const off = await h.rest("PATCH", `/api/users/${user.id}`, {
      token: h.admin.access,
      body: { isActive: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.isActive).toBe(false);
    expect((await h.rest("GET", "/api/auth/me", { token: user.access })).status).toBe(401);
    expect((await h.rest("POST", "/api/auth/refresh", { body: { refresh: user.refresh } })).status).toBe(401);
    const login = await h.rest("POST", "/api/auth/login", {
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(401);
  });

  it("rate-limits failed logins per username and address, with Retry-After", async () => {
    const user = await h.makeUser("INTERN");
    for (let i = 0; i < 3; i++) {
      const res = await h.rest("POST", "/api/auth/login", {
        body: { username: user.username, password: "wrong-pass" },
      });
      expect(res.status).toBe(401);
    }
    const limited = await h.rest("POST", "/api/auth/login", {
      body: { username: user.username, password: user.password },
    });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("TOO_MANY_REQUESTS");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another username from the same address is not affected.
    const other = await h.makeUser("INTERN");
    expect(
      (
        await h.rest("POST", "/api/auth/login", {
          body: { username: other.username, password: other.password },
        })
      ).status,
    ).toBe(200);
  });

  it("rate-limits through the tRPC door with the same counters", async () => {
    const user = await h.makeUser("INTERN");
    for (let i = 0; i < 3; i++) {
      await expect(
        h.trpc().auth.login.mutate({ username: user.username, password: "nope-nope" }),
      ).rejects.toBeInstanceOf(TRPCClientError);
    }
    await expect(
      h.trpc().auth.login.mutate({ username: user.username, password: user.password }),
    ).rejects.toMatchObject({
      data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 },
    });
  });

  it("rejects unknown body fields on login", async () => {
    const res = await h.rest("POST", "/api/auth/login", {
      body: { username: h.admin.username, password: h.admin.password, remember: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.issues).toEqual([
      { path: "remember", message: "unknown field", code: "unrecognized_keys" },
    ]);
  });
});

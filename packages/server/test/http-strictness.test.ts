import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// What a hostile or careless client sends at the HTTP level: each answer is a clear 4xx, on both doors where
// both apply, and nothing is stored.
describe("HTTP strictness", () => {
  let h: Harness;
  let taskId: string;
  beforeAll(async () => {
    h = await startHarness({ config: { CORS_ORIGINS: "https://app.example.com" } });
    taskId = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "strict" } })).body
      .id;
  });
  afterAll(() => h?.close());

  describe("access tokens in another spelling of the same bytes", () => {
    const variants = (token: string) => {
      const [head, body, sig] = token.split(".") as [string, string, string];
      // The last base64url character of a 32-byte signature carries 2 unused bits; flip one of them.
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const last = alphabet.indexOf(sig.at(-1)!);
      const padded = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;
      return [`${head}.${body}.${sig}=`, `${head}.${body}.${padded}`, `${head}=.${body}.${sig}`];
    };
    it("are refused (401): only the canonical encoding is the token", async () => {
      for (const token of variants(h.admin.access)) {
        expect((await h.rest("GET", "/api/auth/me", { token })).status).toBe(401);
      }
      expect((await h.rest("GET", "/api/auth/me", { token: h.admin.access })).status).toBe(200);
    });
    it("even when otherwise validly signed", async () => {
      const { sid } = JSON.parse(Buffer.from(h.admin.access.split(".")[1]!, "base64url").toString());
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(
        { sub: h.admin.id, role: "ADMIN", typ: "access", sid, jti: "x", iat: now, exp: now + 60 },
        h.config.JWT_SECRET,
        "HS256",
      );
      expect((await h.rest("GET", "/api/auth/me", { token })).status).toBe(200);
      for (const variant of variants(token)) {
        expect((await h.rest("GET", "/api/auth/me", { token: variant })).status).toBe(401);
      }
    });
  });

  it.each(["__proto__", "constructor", "prototype", "toString"])(
    "an unknown query key %s is 400 naming it, like any other",
    async (key) => {
      const res = await h.rest("GET", `/api/tasks?${key}=1`, { token: h.admin.access });
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual([key]);
    },
  );

  it("an id in the body of /tasks/{id} is 400 naming it, not ignored", async () => {
    const other = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "other" } }))
      .body.id;
    const res = await h.rest("PATCH", `/api/tasks/${taskId}`, {
      token: h.admin.access,
      body: { id: other, title: "renamed" },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(["id"]);
    expect((await h.rest("GET", `/api/tasks/${taskId}`, { token: h.admin.access })).body.title).toBe(
      "strict",
    );
  });

  it.each([
    ["an array", "[]"],
    ["null", "null"],
    ["a number", "1"],
    ["a string", '"title"'],
  ])("a body that is %s, not an object, is 400", async (_, rawBody) => {
    const res = await h.rest("PATCH", `/api/tasks/${taskId}`, {
      token: h.admin.access,
      rawBody,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.message).toMatch(/object/);
  });

  it("invalid UTF-8 in a JSON body is 400 on both doors and nothing is stored", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"title":"bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const before = (await h.rest("GET", "/api/tasks", { token: h.admin.access })).body.count;
    const rest = await h.app.request("/api/tasks", {
      method: "POST",
      headers: { authorization: `Bearer ${h.admin.access}`, "content-type": "application/json" },
      body: bytes,
    });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { message: string }).message).toMatch(/UTF-8/);
    const trpc = await h.app.request("/trpc/tasks.create", {
      method: "POST",
      headers: { authorization: `Bearer ${h.admin.access}`, "content-type": "application/json" },
      body: bytes,
    });
    expect(trpc.status).toBe(400);
    expect((await h.rest("GET", "/api/tasks", { token: h.admin.access })).body.count).toBe(before);
  });

  it.each(["application/jsonx", "application/json-patch", "text/plain"])(
    "a body of type %s is 415 with the contract's error body",
    async (type) => {
      const res = await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        rawBody: '{"title":"x"}',
        headers: { "content-type": type },
      });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
      expect(res.body.requestId).toBeTruthy();
    },
  );

  it("takes application/json with parameters", async () => {
    const res = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      rawBody: '{"title":"typed"}',
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ["PUT", "/api/tasks", "GET, POST"],
    ["DELETE", "/api/tasks", "GET, POST"],
    ["POST", "/api/tasks/00000000-0000-4000-8000-000000000000", "DELETE, GET, PATCH"],
    ["GET", "/api/auth/login", "POST"],
  ])("a wrong method (%s %s) on an existing path is 405 with Allow", async (method, path, allow) => {
    const res = await h.rest(method, path, {
      token: h.admin.access,
      ...(method === "GET" || method === "DELETE" ? {} : { body: {} }),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.body.code).toBe("METHOD_NOT_SUPPORTED");
    expect(res.body.requestId).toBeTruthy();
  });

  it("a path that does not exist is still 404", async () => {
    expect((await h.rest("GET", "/api/nothing-here", { token: h.admin.access })).status).toBe(404);
  });

  it("puts X-Request-Id on responses of both doors, and replaces an unsafe one", async () => {
    const trpc = await h.app.request("/trpc/auth.me", {
      headers: { authorization: `Bearer ${h.admin.access}` },
    });
    expect(trpc.status).toBe(200);
    expect(trpc.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const rest = await h.app.request("/api/auth/me", {
      headers: { authorization: `Bearer ${h.admin.access}`, "x-request-id": "ok-id_1" },
    });
    expect(rest.headers.get("x-request-id")).toBe("ok-id_1");
    for (const unsafe of ['evil"}\\n{"level":60', "a".repeat(200), "spaces are not ok"]) {
      const res = await h.app.request("/healthz", { headers: { "x-request-id": unsafe } });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("CORS does not allow credentials: the API's auth is a bearer header, not a cookie", async () => {
    const res = await h.app.request("/api/tasks", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

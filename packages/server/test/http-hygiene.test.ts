import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

describe("HTTP hygiene", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { CORS_ORIGINS: "https://app.example.com" } });
  });
  afterAll(() => h?.close());

  it("puts an X-Request-Id on every response, echoing a caller's own", async () => {
    const res = await h.app.request("/api/tasks", { headers: { "x-request-id": "trace-123" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBe("trace-123");
    expect(((await res.json()) as { requestId: string }).requestId).toBe("trace-123");
    expect((await h.app.request("/healthz")).headers.get("x-request-id")).toBeTruthy();
  });

  it("sends secure headers", async () => {
    const res = await h.app.request("/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBeTruthy();
    expect(res.headers.get("strict-transport-security")).toBeTruthy();
  });

  it("allows only the configured CORS origins", async () => {
    const allowed = await h.app.request("/api/tasks", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const denied = await h.app.request("/api/tasks", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
    });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a body over 1 MiB with 413 and writes nothing", async () => {
    const before = (await h.rest("GET", "/api/tasks", { token: h.admin.access })).body.count;
    const res = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      rawBody: JSON.stringify({ title: "big", description: "x".repeat(1024 * 1024 + 10) }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("PAYLOAD_TOO_LARGE");
    const trpc = await h.app.request("/trpc/tasks.create", {
      method: "POST",
      headers: { authorization: `Bearer ${h.admin.access}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "big", description: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(trpc.status).toBe(413);
    expect((await h.rest("GET", "/api/tasks", { token: h.admin.access })).body.count).toBe(before);
  });

  it("refuses a query string over 4096 characters with 414 on both doors", async () => {
    const long = "x".repeat(4097);
    const rest = await h.rest("GET", `/api/tasks?search=${long}`, { token: h.admin.access });
    expect(rest.status).toBe(414);
    expect(rest.body).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("4096") });
    const trpc = await h.app.request(`/trpc/tasks.list?input=${long}`, {
      headers: { authorization: `Bearer ${h.admin.access}` },
    });
    expect(trpc.status).toBe(414);
    // In tRPC's own error shape on its door, so tRPC clients can read it.
    expect(((await trpc.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      "BAD_REQUEST",
    );
    const fits = await h.rest("GET", `/api/tasks?search=${"x".repeat(200)}`, { token: h.admin.access });
    expect(fits.status).toBe(200);
  });

  it("answers validation failures on both doors without stacks or internals", async () => {
    const rest = await h.rest("PATCH", "/api/tasks/00000000-0000-4000-8000-000000000000", {
      token: h.admin.access,
      body: { title: 5 },
    });
    expect(rest.status).toBe(400);
    const trpc = await h.app.request("/trpc/tasks.get?input=%7B%22id%22%3A5%7D", {
      headers: { authorization: `Bearer ${h.admin.access}` },
    });
    expect(trpc.status).toBe(400);
    for (const text of [JSON.stringify(rest.body), await trpc.text()]) {
      expect(text).not.toMatch(/"stack"|node_modules|\.ts:\d/);
      expect(text).toMatch(/title|id/);
    }
  });

  it("masks an internal error as a plain 500 on both doors", async () => {
    const failing = await startHarness({ database: h.database });
    failing.services.taskQueries.get = async () => {
      throw new Error(
        'relation "tasks" does not exist at Parser.parseErrorMessage (/app/node_modules/postgres/src/connection.js:790)',
      );
    };
    const rest = await failing.rest("GET", "/api/tasks/00000000-0000-4000-8000-000000000000", {
      token: failing.admin.access,
    });
    expect(rest.status).toBe(500);
    expect(rest.body).toEqual({
      message: "Internal server error",
      code: "INTERNAL_SERVER_ERROR",
      requestId: expect.any(String),
    });
    const trpc = await failing.app.request(
      "/trpc/tasks.get?input=%7B%22id%22%3A%2200000000-0000-4000-8000-000000000000%22%7D",
      {
        headers: { authorization: `Bearer ${failing.admin.access}` },
      },
    );
    expect(trpc.status).toBe(500);
    const text = await trpc.text();
    expect(text).not.toMatch(/relation|node_modules|stack/);
    expect(text).toContain("Internal server error");
  });
});

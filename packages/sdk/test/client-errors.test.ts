import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { serve } from "@hono/node-server";
import { type Harness, startHarness } from "@taskmgr/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, TaskManagerError } from "../src";

// What the SDK says when there is no answer, a wrong baseUrl, or an answer to wait on (issue 22, item 2).
describe("the SDK's errors", () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  beforeAll(async () => {
    // A tiny budget, so that the third call of a window is refused with Retry-After.
    h = await startHarness({ config: { RATE_LIMIT_CALLS: "3", RATE_LIMIT_DELAY_MS: "0" } });
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it("refuses a baseUrl that is no absolute http(s) URL at once, with a TypeError", () => {
    for (const bad of ["", "localhost:3000", "/api", "ftp://example.com", "not a url"]) {
      expect(() => createClient({ baseUrl: bad }), bad).toThrow(TypeError);
    }
    expect(() => createClient({ baseUrl: "http://127.0.0.1:1" })).not.toThrow();
  });

  it("client.fetch sends the session's token to its own server only", () => {
    const client = createClient({ baseUrl: "https://tasks.example.com" });
    for (const path of ["@evil.example/x", ".evil.example/x", "//evil.example/x", "https://evil.example/x"]) {
      expect(() => client.fetch(path), path).toThrow(TypeError);
    }
  });

  it("a server that cannot be reached is NETWORK_ERROR with status 0, never a 500", async () => {
    // A port nobody listens on: taken, then freed.
    const port = await new Promise<number>((res) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => res(port));
      });
    });
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 });
    const err = await client.auth.me.query().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskManagerError);
    expect(err).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
  });

  it("a 429 carries retryAfter in seconds", async () => {
    const client = createClient({ baseUrl, batch: false, retries: 0 });
    await client.login(h.admin.username, h.admin.password);
    let refused: TaskManagerError | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      await client.auth.me.query().catch((e: unknown) => {
        refused = e as TaskManagerError;
      });
    }
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", status: 429 });
    expect(refused!.retryAfter).toBeGreaterThanOrEqual(1);
  });
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// Behind a proxy every request comes from the proxy's address. The login limiter counts per (account, client
// address), so the client address must be the one the trusted proxy saw, or one client locks out everyone.
// A real HTTP server: app.request() has no socket, hence no peer address.
describe.each([
  { TRUST_PROXY: "", trusted: false },
  { TRUST_PROXY: "127.0.0.1/32, ::1/128", trusted: true },
  { TRUST_PROXY: "1", trusted: true },
  { TRUST_PROXY: "10.0.0.0/8", trusted: false }, // the peer (loopback) is no trusted proxy
])("login limiter with TRUST_PROXY=$TRUST_PROXY", ({ TRUST_PROXY, trusted }) => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let base: string;
  let alice: TestUser;
  beforeAll(async () => {
    h = await startHarness({
      config: { TRUST_PROXY, LOGIN_MAX_FAILURES: "3", LOGIN_MAX_FAILURES_PER_ACCOUNT: "1000" },
    });
    alice = await h.makeUser("INTERN");
    await new Promise<void>((resolve) => {
      server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  // What the proxy sends on: the client's own X-Forwarded-For (anything it likes), then the address it saw.
  const login = (forwardedFor: string, password: string) =>
    fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ username: alice.username, password }),
    }).then((res) => res.status);

  it(
    trusted
      ? "counts per client behind the proxy: one client's failures do not lock out another"
      : "ignores X-Forwarded-For: every client behind the proxy is the same address",
    async () => {
      for (let i = 0; i < 3; i++) expect(await login("203.0.113.1", "wrong password")).toBe(401);
      expect(await login("203.0.113.1", alice.password)).toBe(429);
      // Forging the left-most entry does not make the locked-out client someone else.
      expect(await login("203.0.113.99, 203.0.113.1", alice.password)).toBe(429);
      expect(await login("203.0.113.2", alice.password)).toBe(trusted ? 200 : 429);
    },
  );
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// A real HTTP server and a keep-alive client (Node's fetch): the 413 answer must leave the connection usable or
// closed, never half-read (a client's next request on it failed with EPIPE).
describe("a body over 1 MiB, on a kept-alive connection", () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    await new Promise<void>((resolve) => {
      server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  it("answers 413 with Connection: close, and the client's next requests succeed", async () => {
    const headers = { authorization: `Bearer ${h.admin.access}`, "content-type": "application/json" };
    for (let i = 0; i < 3; i++) {
      const big = await fetch(`${base}/api/tasks`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title: "big", description: "x".repeat(2 * 1024 * 1024) }),
      });
      expect(big.status).toBe(413);
      expect(big.headers.get("connection")).toBe("close");
      expect((await big.json()).code).toBe("PAYLOAD_TOO_LARGE");
      const next = await fetch(`${base}/api/tasks?pageSize=1`, { headers });
      expect(next.status).toBe(200);
      await next.arrayBuffer();
    }
  });
});

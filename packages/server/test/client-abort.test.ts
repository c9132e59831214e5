import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// A client that goes away in the middle of its body is the client's business: one debug line, no error with a
// stack for an operator to chase.
describe("a client aborting mid-body", () => {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let port: number;
  beforeAll(async () => {
    const logger = pino(
      { level: "debug", base: undefined },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    h = await startHarness({ logger });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it.each(["/api/tasks", "/trpc/tasks.create"])("on %s is logged at debug, not as an error", async (path) => {
    const before = lines.length;
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${h.admin.access}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":"half`,
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    for (let waited = 0; waited < 5000; waited += 20) {
      if (lines.slice(before).some((l) => /abort|went away/i.test(l.msg))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const mine = lines.slice(before);
    expect(mine.filter((l) => l.level >= 50)).toEqual([]);
    expect(mine.some((l) => l.level === 20 && /went away/.test(l.msg))).toBe(true);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rowsOf } from "@taskmgr/db";
import { createTestDb, skipWithoutPostgres, type TestDatabase } from "@taskmgr/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spawned, spawnScript } from "./support/process";

// The server as a process of its own, on the real PostgreSQL: SIGTERM under load, clients that hang up in the
// middle of a request, clients too slow to send one.
const ADMIN_PASSWORD = "faults-admin-password";

// The audit reads the server process's database from here, so both need the same PostgreSQL (PGlite is one
// process's): skipped without one, except under CI, where createTestDb("postgres") fails naming DATABASE_URL.
const skip = skipWithoutPostgres();

describe.skipIf(skip)("the server process under faults", () => {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDb("postgres");
    dataDir = mkdtempSync(join(tmpdir(), "taskmgr-faults-"));
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(
    env: Record<string, string> = {},
  ): Promise<{ server: Spawned; base: string; token: string }> {
    const server = spawnScript("src/main.ts", [], {
      DATA_DIR: dataDir,
      PORT: "0",
      RUN_WORKER: "false",
      ADMIN_PASSWORD,
      DATABASE_URL: database.url!,
      ...env,
    });
    const port = await server.listening();
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    });
    const { access } = (await login.json()) as { access: string };
    return { server, base, token: access };
  }

  const invariants = async () =>
    rowsOf<{ bad: number }>(
      await database.db.execute(sql`
        select count(*)::int as bad from tasks t
        where (select count(*) from activity_log l where l.task_id = t.id and l.action = 'CREATED') <> 1`),
    )[0]!.bad;

  it("on SIGTERM under load: in-flight requests finish, new ones are refused, exit 0, nothing lost", async () => {
    // As much load as 16 clients make: the default budget (200 calls per 10 s) would refuse some of it.
    const { server, base, token } = await start({ RATE_LIMIT_CALLS: "1000000" });
    const confirmed: string[] = [];
    const failures: string[] = [];
    let stopSending = false;
    let sigtermAt = 0;
    const create = async (i: number) => {
      const sentAt = Date.now();
      try {
        const res = await fetch(`${base}/api/tasks`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ title: `under sigterm ${i}` }),
        });
        if (res.status === 201) confirmed.push(((await res.json()) as { id: string }).id);
        else failures.push(`status ${res.status}`);
      } catch (err) {
        // Only a request sent after SIGTERM may be refused.
        if (!sigtermAt || sentAt < sigtermAt - 20)
          failures.push(`request sent before SIGTERM failed: ${err}`);
      }
    };
    let i = 0;
    const loops = Array.from({ length: 16 }, async () => {
      while (!stopSending) await create(i++);
    });
    await new Promise((r) => setTimeout(r, 700));
    sigtermAt = Date.now();
    server.child.kill("SIGTERM");
    const code = await server.exited;
    const exitedAfter = Date.now() - sigtermAt;
    stopSending = true;
    await Promise.all(loops);

    expect(code).toBe(0);
    expect(exitedAfter).toBeLessThan(10_000);
    expect(failures).toEqual([]);
    expect(confirmed.length).toBeGreaterThan(20);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    const ids = new Set(
      rowsOf<{ id: string }>(await database.db.execute(sql`select id from tasks`)).map((r) => r.id),
    );
    for (const id of confirmed) expect(ids.has(id)).toBe(true);
    expect(await invariants()).toBe(0);
  }, 60_000);

  it("a client that hangs up mid-request leaves either the whole write or none of it", async () => {
    const { server, base, token } = await start();
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), i % 15);
        try {
          const res = await fetch(`${base}/api/tasks`, {
            method: "POST",
            signal: abort.signal,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ title: `abandoned ${i}`, description: "x".repeat(2000) }),
          });
          return res.status === 201 ? "created" : `status ${res.status}`;
        } catch {
          return "aborted";
        }
      }),
    );
    expect(outcomes.filter((o) => o !== "created" && o !== "aborted")).toEqual([]);
    expect(outcomes).toContain("aborted");
    // Let the server finish whatever it had accepted, then stop it cleanly.
    await new Promise((r) => setTimeout(r, 500));
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const after = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from tasks where title like 'abandoned %'`),
    )[0]!.n;
    expect(after).toBeGreaterThanOrEqual(outcomes.filter((o) => o === "created").length);
    expect(after).toBeLessThanOrEqual(60);
    expect(await invariants()).toBe(0);
  }, 60_000);

  it("drops a client that never finishes sending its request", async () => {
    const { server, base } = await start({
      HTTP_HEADERS_TIMEOUT_SECONDS: "1",
      HTTP_REQUEST_TIMEOUT_SECONDS: "2",
    });
    const port = Number(new URL(base).port);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // headers never end
      });
      socket.on("data", () => {}); // a 408, if the server sends one
      socket.on("close", () => resolve(Date.now() - started));
      socket.on("error", reject);
      setTimeout(() => reject(new Error("the server kept a slow client for 10 s")), 10_000);
    });
    expect(closedAfter).toBeLessThan(5_000);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }, 30_000);
});

import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createTestDb, postgresTestUrl, type TestDatabase } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageNodeOptions } from "../bench/image";

// Exactly what the image runs: the built bundle under plain node, NODE_ENV=production, against the
// machine's PostgreSQL and Redis. (No Docker engine here; this keeps the Dockerfile honest.)
const serverDir = resolve(import.meta.dirname, "..");
const redisUrl = process.env.REDIS_URL;
const skip = (!redisUrl || !postgresTestUrl()) && !process.env.CI;

function run(entry: string, env: Record<string, string>) {
  const { DATABASE_URL: _a, TEST_DATABASE_URL: _b, REDIS_URL: _c, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [resolve(serverDir, "dist", entry)], {
    cwd: resolve(serverDir, "dist", ".."),
    env: { ...inherited, NODE_ENV: "production", NODE_OPTIONS: imageNodeOptions, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, output: () => out };
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip)("the production start path (built bundle, NODE_ENV=production)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    if (!redisUrl || !postgresTestUrl()) throw new Error("REDIS_URL and DATABASE_URL must be set under CI");
    // The bundle is built once for the run (test/support/build-once.ts).
    database = await createTestDb("postgres");
  }, 120_000);
  afterAll(() => database?.close());

  it("migrates, serves, logs in, round-trips a task, and the separate worker's schedule marks an overdue task", async () => {
    expect(imageNodeOptions).toMatch(/--max-old-space-size=\d+/);
    const env = {
      DATABASE_URL: database.url!,
      REDIS_URL: redisUrl!,
      QUEUE_PREFIX: `prod-${Date.now()}`,
      OVERDUE_SWEEP_INTERVAL_SECONDS: "1",
    };
    const migrate = run("migrate.js", env);
    expect(await migrate.exited).toBe(0);
    const server = run("main.js", {
      ...env,
      RUN_WORKER: "false",
      PORT: "0",
      JWT_SECRET: "p".repeat(48),
      ADMIN_PASSWORD: "production-admin-pw",
    });
    const worker = run("worker.js", env);
    try {
      const port = await until(async () => /"port":(\d+)/.exec(server.output())?.[1], 20_000, "the server");
      const base = `http://127.0.0.1:${port}`;
      await until(
        async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
        10_000,
        "/readyz 200",
      );
      const login = await fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "production-admin-pw" }),
      });
      expect(login.status).toBe(200);
      const { access } = (await login.json()) as { access: string };
      const headers = { authorization: `Bearer ${access}`, "content-type": "application/json" };
      const created = await fetch(`${base}/api/tasks`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title: "ship it", dueDate: new Date(Date.now() + 1500).toISOString() }),
      });
      expect(created.status).toBe(201);
      const task = (await created.json()) as { id: string };
      const read = (await (await fetch(`${base}/api/tasks/${task.id}`, { headers })).json()) as {
        status: string;
      };
      expect(read.status).toBe("PENDING");
      await until(
        async () => {
          const t = (await (await fetch(`${base}/api/tasks/${task.id}`, { headers })).json()) as {
            status: string;
          };
          return t.status === "OVERDUE" ? t : undefined;
        },
        15_000,
        "the worker to mark the task OVERDUE",
      );
      expect(worker.output()).toMatch(/"markedOverdue":1/);
      // The console is served, and its session cookie is Secure under a __Secure- name in production.
      const page = await fetch(`${base}/admin/tasks`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      const cookieLogin = await fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "production-admin-pw", session: "cookie" }),
      });
      expect(cookieLogin.status).toBe(200);
      expect(cookieLogin.headers.get("set-cookie")).toMatch(
        /^__Secure-tm_refresh=[^;]+; Max-Age=\d+; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict$/,
      );
      // No stack traces or dev output in production responses.
      const bad = await fetch(`${base}/api/tasks/nope`, { headers });
      expect(await bad.text()).not.toMatch(/stack/);
    } finally {
      server.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(await worker.exited).toBe(0);
    }
  }, 60_000);

  it("refuses to start without JWT_SECRET, naming it", async () => {
    const server = run("main.js", { DATABASE_URL: database.url!, PORT: "0" });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/JWT_SECRET/);
  });
});

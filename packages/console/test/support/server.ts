import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { trackProcess } from "@taskmgr/db/testing";

const serverDir = resolve(import.meta.dirname, "../../../server");

export interface ConsoleServer {
  baseUrl: string;
  admin: { username: string; password: string };
  /** A REST call as the admin (or with the given token): for arranging what a test needs. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  adminToken(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The built server (packages/server/dist/main.js) on a fresh embedded database of its own, with its first admin,
 * the overdue sweep's timer slowed right down (the tests run it from the console's button).
 */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "console-e2e-"));
  const admin = { username: "admin", password: "console-e2e-admin-password" };
  const { DATABASE_URL: _db, REDIS_URL: _redis, TEST_DATABASE_URL: _tdb, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [resolve(serverDir, "dist/main.js")], {
    cwd: serverDir,
    env: {
      ...inherited,
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      PORT: "0",
      DATA_DIR: dataDir,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      OVERDUE_SWEEP_INTERVAL_SECONDS: "3600",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackProcess(child);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const port = await new Promise<number>((res, rej) => {
    const timer = setInterval(() => {
      const match = /"port":(\d+)/.exec(out);
      if (match) {
        clearInterval(timer);
        res(Number(match[1]));
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        rej(new Error(`server exited before listening:\n${out}`));
      }
    }, 50);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let token: string | undefined;
  async function api(method: string, path: string, body?: unknown, bearer?: string) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  async function adminToken() {
    if (!token) {
      const res = await api("POST", "/api/auth/login", admin);
      if (res.status !== 200) throw new Error(`admin login: ${res.status} ${JSON.stringify(res.body)}`);
      token = res.body.access as string;
    }
    return token;
  }
  return {
    baseUrl,
    admin,
    api: async (method, path, body, bearer) => api(method, path, body, bearer ?? (await adminToken())),
    adminToken,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

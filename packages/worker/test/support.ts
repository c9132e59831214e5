import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { trackProcess } from "@taskmgr/db/testing";
import { pino } from "pino";

export const redisUrl = process.env.REDIS_URL;
/** Redis tests run when REDIS_URL is set; under CI a missing Redis is a failure, never a skip. */
export const skipWithoutRedis = !redisUrl && !process.env.CI;
export function requireRedis(): string {
  if (!redisUrl) throw new Error("REDIS_URL must be set when CI=true: Redis tests may not be skipped in CI");
  return redisUrl;
}

export const uniquePrefix = () => `test-${randomBytes(4).toString("hex")}`;
export const silentLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

export { insertTasks, makeOwner } from "@taskmgr/db/testing";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const workerDir = resolve(import.meta.dirname, "..");

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The worker under node itself with tsx as a loader: killing the tsx command would leave its node running. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@taskmgr/source", "src/main.ts"], {
    cwd: workerDir,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  trackProcess(child);
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

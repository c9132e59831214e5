import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { type Database, tasks, users } from "@taskmgr/db";
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

export async function makeOwner(database: Pick<Database, "db">): Promise<string> {
  const [row] = await database.db
    .insert(users)
    .values({ username: `owner_${randomBytes(4).toString("hex")}`, passwordHash: "x", role: "ADMIN" })
    .returning();
  return row!.id;
}

export async function insertTasks(
  database: Pick<Database, "db">,
  createdById: string,
  specs: Array<{
    status?: "PENDING" | "IN_PROGRESS" | "COMPLETED" | "OVERDUE";
    dueDate: Date | null;
    title?: string;
  }>,
) {
  return database.db
    .insert(tasks)
    .values(
      specs.map((s, i) => ({
        title: s.title ?? `t${i}`,
        status: s.status ?? "PENDING",
        dueDate: s.dueDate,
        createdById,
      })),
    )
    .returning();
}

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

/** Every worker a test started and that has not exited: ended after each test file (test/end-processes.ts). */
const running = new Set<ChildProcess>();

export async function endAllWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((res) => {
          if (child.exitCode !== null || child.signalCode !== null) return res();
          child.once("exit", () => res());
          child.kill("SIGKILL");
        }),
    ),
  );
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
  running.add(child);
  const exited = new Promise<number | null>((r) =>
    child.on("exit", (code) => {
      running.delete(child);
      r(code);
    }),
  );
  return { child, output: () => out, exited };
}

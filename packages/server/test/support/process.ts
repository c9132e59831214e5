import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const serverDir = resolve(import.meta.dirname, "../..");
const tsx = resolve(serverDir, "node_modules/.bin/tsx");

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the port once the server logs that it listens. */
  listening(timeoutMs?: number): Promise<number>;
}

/** Runs a server script as its own process, on the embedded database unless env says otherwise. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Spawned {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _tdb, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(tsx, ["--conditions=@taskmgr/source", script, ...args], {
    cwd: serverDir,
    env: { ...inherited, NODE_ENV: "development", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  return {
    child,
    output: () => out,
    exited,
    listening: (timeoutMs = 30_000) =>
      new Promise((res, rej) => {
        const started = Date.now();
        const timer = setInterval(() => {
          const match = /"port":(\d+)/.exec(out);
          if (match) {
            clearInterval(timer);
            res(Number(match[1]));
          } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
            clearInterval(timer);
            rej(new Error(`server did not start:\n${out}`));
          }
        }, 50);
      }),
  };
}

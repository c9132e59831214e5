import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { trackProcess } from "@taskmgr/db/testing";

const serverDir = resolve(import.meta.dirname, "../..");

/**
 * The production bundle's entry for each source entry (tsdown.config.ts). The bundle is built once per test run
 * (test/support/build-once.ts): a process starts in a fraction of the time tsx takes to compile it, whatever
 * the machine's load, and runs as plain node, so a kill ends the process itself (tsx's wrapper, killed, left
 * its node child running).
 */
const BUNDLE: Record<string, string> = {
  "src/main.ts": "dist/main.js",
  "src/cli.ts": "dist/cli.js",
  "src/worker-main.ts": "dist/worker.js",
};

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the port once the server logs that it listens. */
  listening(timeoutMs?: number): Promise<number>;
}

/** Runs a server entry (its bundle) as its own process, on the embedded database unless env says otherwise. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Spawned {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _tdb, REDIS_URL: _redis, ...inherited } = process.env;
  const entry = BUNDLE[script];
  if (!entry) throw new Error(`${script} has no entry in the bundle (tsdown.config.ts)`);
  const child = spawn(process.execPath, [resolve(serverDir, entry), ...args], {
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
  trackProcess(child);
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  return {
    child,
    output: () => out,
    exited,
    listening: (timeoutMs = 90_000) =>
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

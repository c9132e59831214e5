import type { ChildProcess } from "node:child_process";

/** Every process a test started and that has not exited yet. */
const running = new Set<ChildProcess>();

/** Notes a process a test started, so that endTrackedProcesses ends it whatever becomes of the test. */
export function trackProcess(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** Kills every tracked process still running and waits for each to exit (a setupFiles afterAll calls it). */
export async function endTrackedProcesses(): Promise<void> {
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

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

// vitest globalSetup: the console and the server's production bundle, built once before any test file runs;
// the browser tests drive the built server serving the built console, as the image runs them.
export default function buildOnce(): void {
  const packages = resolve(import.meta.dirname, "../../..");
  for (const dir of ["console", "server"]) {
    execFileSync("pnpm", ["run", "build"], { cwd: resolve(packages, dir), stdio: "ignore" });
  }
}

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

// vitest globalSetup: the production bundle, built once before any test file runs. The process tests start
// its entries (support/process.ts) and production.test.ts runs it as the image does.
export default function buildOnce(): void {
  execFileSync("pnpm", ["run", "build"], { cwd: resolve(import.meta.dirname, "../.."), stdio: "ignore" });
}

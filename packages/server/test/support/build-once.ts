import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { undocumentedAnswers } from "./answered-statuses";

// vitest globalSetup: the production bundle (and the console it serves), built once before any test file runs. The process tests start
// its entries (support/process.ts) and production.test.ts runs it as the image does. When the run ends, every
// status the REST door answered in it is checked against the OpenAPI document (answered-statuses.ts).
export default function buildOnce(project: TestProject): () => void {
  // The console too: the server serves its build at /admin.
  for (const pkg of ["../../../console", "../.."]) {
    execFileSync("pnpm", ["run", "build"], { cwd: resolve(import.meta.dirname, pkg), stdio: "ignore" });
  }
  const dir = mkdtempSync(join(tmpdir(), "answered-statuses-"));
  project.provide("answeredStatusesDir", dir);
  return () => {
    try {
      const { checked, missing } = undocumentedAnswers(dir);
      if (missing.length > 0) {
        throw new Error(
          `The REST door answered statuses the OpenAPI document does not list for the operation (of ${checked} answers):\n${missing.join("\n")}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, "..");

it("has a committed migration for every schema change", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "taskmgr-drift-"));
  try {
    cpSync(join(packageDir, "migrations"), join(scratch, "migrations"), { recursive: true });
    const config = join(scratch, "drizzle.config.ts");
    writeFileSync(
      config,
      `export default { dialect: "postgresql", schema: ${JSON.stringify(relative(scratch, join(packageDir, "src/schema/index.ts")))}, out: "./migrations" };\n`,
    );
    const before = readdirSync(join(scratch, "migrations")).length;
    const { stdout, stderr } = await run(
      join(packageDir, "node_modules/.bin/drizzle-kit"),
      ["generate", `--config=${config}`],
      {
        cwd: scratch,
      },
    );
    const after = readdirSync(join(scratch, "migrations")).length;
    expect(after, `schema changed without a migration: run pnpm db:generate\n${stdout}`).toBe(before);
    expect(`${stdout}${stderr}`).toMatch(/No schema changes/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

it("the committed router type matches the server's router", () => {
  const sdkDir = resolve(import.meta.dirname, "..");
  const out = execFileSync(
    resolve(sdkDir, "node_modules/.bin/tsx"),
    ["--conditions=@taskmgr/source", "scripts/router-type.ts", "--check"],
    {
      cwd: sdkDir,
      encoding: "utf8",
    },
  );
  expect(out).toMatch(/up to date/);
});

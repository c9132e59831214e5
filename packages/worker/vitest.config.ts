import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@taskmgr/source"] },
  test: { testTimeout: 30_000, hookTimeout: 60_000, setupFiles: ["test/end-processes.ts"] },
});

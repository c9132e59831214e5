import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@taskmgr/source"] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The processes a test file started end with it, even when it failed or timed out.
    setupFiles: ["test/support/end-processes.ts"],
  },
});

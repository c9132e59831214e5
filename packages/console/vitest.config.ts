import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@taskmgr/source"] },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One browser and one server at a time: the browser tests share them, file after file.
    fileParallelism: false,
    globalSetup: ["test/support/build-once.ts"],
    setupFiles: ["test/support/end-processes.ts"],
  },
});

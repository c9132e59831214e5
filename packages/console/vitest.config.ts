import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// The workspace's packages from their TypeScript sources (the @taskmgr/source export condition).
const conditions = ["@taskmgr/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One browser and one server at a time: the browser tests share them, file after file.
    fileParallelism: false,
    // A browser on a busy machine: what a test waits for (a debounced search, a refetch) may take seconds.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    globalSetup: ["test/support/build-once.ts"],
    setupFiles: ["test/support/end-processes.ts"],
  },
});

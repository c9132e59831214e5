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
    globalSetup: ["test/support/build-once.ts"],
    setupFiles: ["test/support/end-processes.ts"],
  },
});

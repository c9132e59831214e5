import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@taskmgr/source"] },
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});

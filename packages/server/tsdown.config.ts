import { defineConfig } from "tsdown";

// The production build: plain JavaScript for Node, the workspace's own packages inlined, every registry
// dependency left to node_modules. The SQL migrations travel beside the bundle.
export default defineConfig({
  entry: {
    main: "src/main.ts",
    worker: "src/worker-main.ts",
    cli: "src/cli.ts",
    migrate: "src/migrate-main.ts",
  },
  format: "esm",
  platform: "node",
  target: "node22",
  outDir: "dist",
  clean: true,
  dts: false,
  fixedExtension: false,
  noExternal: [/^@taskmgr\//, /^drizzle-orm/],
  copy: [{ from: "../db/migrations", to: "dist" }],
});

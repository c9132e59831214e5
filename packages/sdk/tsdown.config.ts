import { defineConfig } from "tsdown";

// One ESM file and one self-contained declaration file: the server's router type and the contract's schemas
// are inlined, so a consumer needs only the registry's packages (@trpc/client, @trpc/server, zod).
export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outDir: "dist",
  clean: true,
  noExternal: [/^@taskmgr\//],
  external: [/^@trpc\//, /^zod/],
  dts: { resolve: [/^@taskmgr\//], tsconfig: "./tsconfig.build.json", eager: true },
});

import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The console is served by the server at /admin (packages/server/src/http/static-assets.ts). `pnpm dev` serves it
// with hot reload and passes the API through to a server on :3000.
export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  resolve: { conditions: ["@taskmgr/source", ...defaultClientConditions] },
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: { "/api": "http://localhost:3000", "/trpc": "http://localhost:3000" },
  },
});

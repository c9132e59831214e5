import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { serveStatic } from "@hono/node-server/serve-static";
import { Scalar } from "@scalar/hono-api-reference";
import { type Context, Hono } from "hono";
import { edgeError } from "./edge-errors";

const require = createRequire(import.meta.url);
const IMMUTABLE = "public, max-age=31536000, immutable";
const gzipAsync = promisify(gzip);

/**
 * The console's built files, or null when the console was not built: CONSOLE_DIR (the image sets it), else
 * packages/console/dist beside this package, found from the source (src/http) or from the bundle (dist). The
 * server does not depend on the console as a package: the console's build depends on the SDK, whose build
 * depends on the server, and the package graph must stay acyclic.
 */
export function consoleDistDir(): string | null {
  const here = import.meta.dirname;
  const candidates = [
    process.env.CONSOLE_DIR,
    resolve(here, "../../../console/dist"),
    resolve(here, "../../console/dist"),
  ];
  return candidates.find((dir) => dir !== undefined && existsSync(join(dir, "index.html"))) ?? null;
}

/**
 * The page's scripts, styles and fetches come from this server only; Mantine sets inline styles, hence
 * 'unsafe-inline' for styles (never for scripts).
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

/**
 * /admin: the console (API.md, Console). Hashed assets are immutable for a year; the HTML (read at start) is
 * revalidated on every load, so a restarted server's new build is picked up at once; every other path under /admin/ is the app, whose router
 * reads it. A missing asset is a 404, not the app's HTML (a browser would run HTML as a script and fail
 * strangely). Precompressed .br/.gz files written by the console's build are served to clients that accept them.
 */
export function consoleRoutes(configured: string | null | undefined) {
  const dir = configured === undefined ? consoleDistDir() : configured;
  const app = new Hono();
  if (dir === null) {
    const missing = (c: Context) =>
      edgeError(
        c,
        503,
        "SERVICE_UNAVAILABLE",
        "The console is not built: run `pnpm --filter @taskmgr/console build` (pnpm start does it)",
      );
    app.get("/admin", missing);
    app.get("/admin/*", missing);
    return app;
  }
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const files = serveStatic({
    root: dir,
    precompressed: true,
    rewriteRequestPath: (path) => path.replace(/^\/admin/, ""),
  });
  app.get("/admin/assets/*", async (c) => {
    const found = await files(c, async () => {});
    if (!found) return edgeError(c, 404, "NOT_FOUND", `No console asset at ${c.req.path}`);
    found.headers.set("Cache-Control", IMMUTABLE);
    return found;
  });
  const page = (c: Context) => {
    c.header("Cache-Control", "no-cache");
    c.header("Content-Security-Policy", CONSOLE_CSP);
    return c.html(html);
  };
  app.get("/admin", page);
  app.get("/admin/", page);
  // Files at the root of the build (the icon), else the app.
  app.get("/admin/*", async (c) => {
    const file = /^\/admin\/[\w.-]+\.(?:svg|ico|png|txt|webmanifest)$/.test(c.req.path)
      ? await files(c, async () => {})
      : undefined;
    return file ?? page(c);
  });
  return app;
}

/**
 * /docs: the API reference (Scalar), whose script is served from its npm package, so the page works on a
 * machine with no internet. The package does not export its browser build: it sits beside the package's entry.
 */
export function docsRoutes() {
  const app = new Hono();
  const dist = dirname(require.resolve("@scalar/api-reference"));
  const { version } = JSON.parse(readFileSync(join(dist, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const scriptPath = `/docs/scalar-${version}.js`;
  // 4.8 MB, 1.3 MB gzipped: read and compressed once, off the event loop, on the first request for it.
  let script: Promise<{ raw: Uint8Array<ArrayBuffer>; gzipped: Uint8Array<ArrayBuffer> }> | undefined;
  const view = (b: Buffer) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
  const load = async () => {
    const raw = await readFile(join(dist, "browser", "standalone.js"));
    return { raw: view(raw), gzipped: view(await gzipAsync(raw)) };
  };
  app.get(scriptPath, async (c) => {
    script ??= load();
    const { raw, gzipped } = await script;
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", IMMUTABLE);
    c.header("Vary", "Accept-Encoding");
    if (!/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) return c.body(raw);
    c.header("Content-Encoding", "gzip");
    return c.body(gzipped);
  });
  app.get(
    "/docs",
    Scalar({
      url: "/api/openapi.json",
      pageTitle: "Task Manager API",
      cdn: scriptPath,
      withDefaultFonts: false,
    }),
  );
  return app;
}

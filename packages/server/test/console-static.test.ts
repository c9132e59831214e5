import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleDistDir, consoleRoutes } from "../src/http/static-assets";
import { type Harness, startHarness } from "./support/harness";

// /admin serves the console's build (made by the test run's global setup) and /docs works with no internet.
let h: Harness;
let dist: string;
beforeAll(async () => {
  h = await startHarness();
  const dir = consoleDistDir();
  if (!dir) throw new Error("the console is not built (test/support/build-once.ts builds it)");
  dist = dir;
});
afterAll(() => h.close());

const script = () => readdirSync(join(dist, "assets")).find((f) => f.endsWith(".js"))!;

describe("the console at /admin", () => {
  it("answers the app for /admin, /admin/ and any path under it, never cached, with a strict CSP", async () => {
    for (const path of [
      "/admin",
      "/admin/",
      "/admin/tasks",
      "/admin/tasks/123?status=x",
      "/admin/no/such/page",
    ]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self';/);
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it("serves hashed assets as immutable for a year, precompressed to clients that accept it", async () => {
    const path = `/admin/assets/${script()}`;
    const plain = await h.app.request(path);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-type")).toMatch(/javascript/);
    const plainBody = await plain.arrayBuffer();
    const br = await h.app.request(path, { headers: { "accept-encoding": "gzip, br" } });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect((await br.arrayBuffer()).byteLength).toBeLessThan(plainBody.byteLength / 2);
  });

  it("answers a missing asset with a 404, not the app's HTML", async () => {
    const res = await h.app.request("/admin/assets/index-nope.js");
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe("NOT_FOUND");
  });

  it("refuses a path that climbs out of the build", async () => {
    for (const path of ["/admin/assets/../../package.json", "/admin/assets/%2e%2e/%2e%2e/package.json"]) {
      const res = await h.app.request(path);
      expect(res.status, path).not.toBe(500);
      expect(await res.text(), path).not.toContain('"name": "@taskmgr/console"');
    }
  });

  it("says how to build the console when it is not built", async () => {
    const res = await consoleRoutes(null).request("/admin/tasks");
    expect(res.status).toBe(503);
    expect((await res.json()).message).toMatch(/pnpm --filter @taskmgr\/console build/);
  });
});

describe("the API reference at /docs", () => {
  it("loads its script from this server, and nothing from elsewhere", async () => {
    const res = await h.app.request("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources).toEqual([expect.stringMatching(/^\/docs\/scalar-[\d.]+\.js$/)]);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[^"']*\.(js|css|woff2?)/);
    const js = await h.app.request(sources[0]!, { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(js.headers.get("content-encoding")).toBe("gzip");
    expect(js.headers.get("cache-control")).toMatch(/immutable/);
  });
});

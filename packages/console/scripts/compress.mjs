// After `vite build`: writes .br and .gz beside every script and style (the server sends them to
// clients that accept them), then prints the JavaScript the first page load needs, gzipped, and fails the
// build above 300 kB (issue 19's budget).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

const BUDGET = 300 * 1024;
const dist = resolve(import.meta.dirname, "../dist");
const assets = join(dist, "assets");

for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const body = readFileSync(join(assets, name));
  writeFileSync(join(assets, `${name}.gz`), gzipSync(body, { level: 9 }));
  writeFileSync(join(assets, `${name}.br`), brotliCompressSync(body));
}

// The scripts index.html loads, and those they import statically (modulepreload links).
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/admin\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const name of initial) total += gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(
  `console: initial JavaScript ${kB(total)} gzipped (${initial.length} files; budget ${kB(BUDGET)})`,
);
if (total > BUDGET) {
  console.error("console: the initial JavaScript is over budget");
  process.exit(1);
}

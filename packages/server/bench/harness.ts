// What the bench and the soak share: a fresh database on the local PostgreSQL, and the built server started
// exactly as the image starts it.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { resolve } from "node:path";
import { createDb, type Database, migrate } from "@taskmgr/db";
import postgres from "postgres";
import { imageNodeOptions } from "./image";

export const serverDir = resolve(import.meta.dirname, "..");
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A new, migrated database; `drop()` closes it and removes it. */
export async function freshDatabase(
  prefix: string,
): Promise<{ url: string; database: Database; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await createDb({ databaseUrl: url.toString(), poolSize: 4 });
  await migrate(database);
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => res(port));
    });
  });
}

/**
 * `pnpm build`, then `node dist/main.js` with the image's NODE_OPTIONS and production settings, the worker
 * off. Request logging stays on (its cost is part of what we measure); its output is discarded.
 */
export async function startBuiltServer(o: {
  databaseUrl: string;
  adminPassword: string;
  env?: Record<string, string>;
}): Promise<{ child: ChildProcess; base: string }> {
  console.log("building the console and the server…");
  execFileSync("pnpm", ["run", "build"], { cwd: resolve(serverDir, "../console"), stdio: "ignore" });
  execFileSync("pnpm", ["run", "build"], { cwd: serverDir, stdio: "ignore" });
  const port = await freePort();
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NODE_OPTIONS: imageNodeOptions,
      DATABASE_URL: o.databaseUrl,
      JWT_SECRET: randomBytes(32).toString("hex"),
      ADMIN_PASSWORD: o.adminPassword,
      RUN_WORKER: "false",
      PORT: String(port),
      ...o.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, base };
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (i > 200) throw new Error("the server did not start within 20 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

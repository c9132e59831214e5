// `pnpm soak [--seconds 60] [--connections 64]`: the built server (the image's command and heap bounds) on a
// fresh local database, the soak against it, the audit, the figures. Exit 1 if anything was lost or failed.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createDb, migrate } from "@taskmgr/db";
import postgres from "postgres";
import { imageNodeOptions } from "./image";
import { runSoak } from "./soak";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "64" },
  },
});
const serverDir = resolve(import.meta.dirname, "..");
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ADMIN_PASSWORD = "soak-admin-password";

const dbName = `taskmgr_soak_${randomBytes(3).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${dbName}"`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const database = await createDb({ databaseUrl: url.toString(), poolSize: 4 });
await migrate(database);

console.log("building the server…");
execFileSync("pnpm", ["run", "build"], { cwd: serverDir, stdio: "ignore" });
const server: ChildProcess = spawn(process.execPath, ["dist/main.js"], {
  cwd: serverDir,
  env: {
    ...process.env,
    NODE_ENV: "production",
    NODE_OPTIONS: imageNodeOptions,
    DATABASE_URL: url.toString(),
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_PASSWORD,
    RUN_WORKER: "false",
    PORT: "0",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
const port = await new Promise<number>((res, rej) => {
  server.stdout!.on("data", (d) => {
    out += d;
    const m = /"port":(\d+)/.exec(out);
    if (m) res(Number(m[1]));
  });
  server.on("exit", (code) => rej(new Error(`server exited ${code}: ${out}`)));
});
server.stdout!.resume();

console.log(`soak: ${args.connections} connections for ${args.seconds} s`);
const report = await runSoak({
  base: `http://127.0.0.1:${port}`,
  database,
  seconds: Number(args.seconds),
  connections: Number(args.connections),
  pid: server.pid,
  adminPassword: ADMIN_PASSWORD,
});
server.kill("SIGTERM");
await database.close();
await admin.unsafe(`drop database "${dbName}" with (force)`);
await admin.end();

console.log(JSON.stringify({ ...report, logMismatches: report.logMismatches.slice(0, 10) }, null, 2));
const rss = report.rssMb;
console.log(
  `requests ${report.requests} (${Math.round(report.requests / Number(args.seconds))}/s), 5xx ${report.serverErrors}, network errors ${report.networkErrors}, ` +
    `tasks created ${report.tasksCreated}, deleted ${report.tasksDeleted}, log mismatches ${report.logMismatches.length}, ` +
    `RSS ${Math.min(...rss)}-${Math.max(...rss)} MB`,
);
process.exit(report.serverErrors || report.networkErrors || report.logMismatches.length ? 1 : 0);

// `pnpm soak [--seconds 60] [--connections 64] [--hostile]`: the built server (the image's command and heap bounds) on a
// fresh local database, the soak against it, the audit, the figures. Exit 1 if anything was lost or failed.
import { parseArgs } from "node:util";
import { freshDatabase, startBuiltServer } from "./harness";
import { runSoak } from "./soak";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "64" },
    hostile: { type: "boolean", default: false },
  },
});
const ADMIN_PASSWORD = "soak-admin-password";

const fresh = await freshDatabase("taskmgr_soak");
const { child: server, base } = await startBuiltServer({
  databaseUrl: fresh.url,
  adminPassword: ADMIN_PASSWORD,
  // The plain soak's users call far more often than people do; beside a hostile client every limit is the
  // default, which is what is being tested.
  env: args.hostile ? {} : { RATE_LIMIT_CALLS: "1000000" },
});

console.log(`soak: ${args.connections} connections for ${args.seconds} s`);
const report = await runSoak({
  base,
  database: fresh.database,
  seconds: Number(args.seconds),
  connections: Number(args.connections),
  pid: server.pid,
  adminPassword: ADMIN_PASSWORD,
  hostile: args.hostile,
});
server.kill("SIGTERM");
await fresh.drop();

console.log(JSON.stringify({ ...report, logMismatches: report.logMismatches.slice(0, 10) }, null, 2));
const rss = report.rssMb;
console.log(
  `requests ${report.requests} (${Math.round(report.requests / Number(args.seconds))}/s), 5xx ${report.serverErrors}, network errors ${report.networkErrors}, ` +
    `tasks created ${report.tasksCreated}, deleted ${report.tasksDeleted}, log mismatches ${report.logMismatches.length}, ` +
    `RSS ${Math.min(...rss)}-${Math.max(...rss)} MB, others' latency p50 ${report.p50} ms p99 ${report.p99} ms` +
    (args.hostile ? `, hostile answered ${JSON.stringify(report.hostileByStatus)}` : ""),
);
process.exit(report.serverErrors || report.networkErrors || report.logMismatches.length ? 1 : 0);

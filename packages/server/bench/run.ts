// `pnpm bench`: the built server on the local PostgreSQL, 100,000 seeded tasks, autocannon scenarios at 32
// connections, the bare-Hono floor, peak RSS, the sweep's time; results into docs/benchmarks.md.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { rowsOf } from "@taskmgr/db";
import { DEFAULT_SWEEP_BATCH_SIZE, sweepOverdue } from "@taskmgr/db/task-store";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { freshDatabase, serverDir, startBuiltServer } from "./harness";
import { imageNodeOptions } from "./image";
import { INTERN_PASSWORD, seed } from "./seed";

const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "100000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    "sweep-eligible": { type: "string", default: "100000" },
    // OVERDUE_SWEEP_BATCH_SIZE for the sweep's runs.
    "sweep-batch-size": { type: "string", default: String(DEFAULT_SWEEP_BATCH_SIZE) },
    out: { type: "string", default: resolve(import.meta.dirname, "../../../docs/benchmarks.md") },
    // For trying a change: only the scenarios whose names contain one of these (comma list, "sweep" for the
    // sweep); prints, writes nothing.
    only: { type: "string" },
  },
});
const only = args.only?.split(",");
const selected = (name: string) => !only || only.some((o) => name.includes(o));
const TASKS = Number(args.tasks);
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const SWEEP_ELIGIBLE = Number(args["sweep-eligible"]);
const SWEEP_BATCH_SIZE = Number(args["sweep-batch-size"]);
const ADMIN_PASSWORD = "bench-admin-password";

function start(
  cmd: string,
  argv: string[],
  env: Record<string, string>,
): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(cmd, argv, {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const port = new Promise<number>((res, rej) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.on("exit", (code) => rej(new Error(`${cmd} exited ${code}: ${out}`)));
  });
  return { child, port };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024);
}

interface Scenario {
  name: string;
  base: "api" | "floor";
  requests: autocannon.Request[];
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function drive(url: string, s: Scenario): Promise<Row> {
  const run = (duration: number) =>
    autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      requests: s.requests,
    }) as unknown as Promise<autocannon.Result>;
  await run(WARMUP);
  const r = await run(DURATION);
  const row = {
    name: s.name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  console.log(
    `${s.base.padEnd(6)} ${s.name.padEnd(40)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  non-2xx ${row.non2xx}`,
  );
  return row;
}

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

/**
 * The naive floor: the textbook SQL of a list (an exact count(*) over the filters, then an OFFSET page) through
 * postgres.js alone, no HTTP at all, from as many concurrent callers as autocannon's connections.
 */
async function naive(name: string, query: () => Promise<unknown>): Promise<Row> {
  const loop = async (until: number, latencies: number[]) => {
    while (performance.now() < until) {
      const started = performance.now();
      await query();
      latencies.push(performance.now() - started);
    }
  };
  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, () => loop(until, latencies)));
    return latencies.sort((x, y) => x - y);
  };
  await run(WARMUP);
  const latencies = await run(DURATION);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  const row = {
    name,
    rps: Math.round(latencies.length / DURATION),
    p50: at(0.5),
    p99: at(0.99),
    non2xx: 0,
    errors: 0,
  };
  console.log(
    `naive  ${name.padEnd(40)} ${String(row.rps).padStart(6)} q/s    p50 ${row.p50} ms  p99 ${row.p99} ms`,
  );
  return row;
}

async function main() {
  // A database of its own, seeded.
  const fresh = await freshDatabase("taskmgr_bench");
  const { database, url: databaseUrl } = fresh;
  const seeded = await seed(database, {
    tasks: TASKS,
    users: 10,
    overdueFraction: 0,
    adminPassword: ADMIN_PASSWORD,
  });
  console.log(`seeded ${TASKS} tasks in ${seeded.ms} ms`);

  const { child: server, base: api } = await startBuiltServer({
    databaseUrl,
    adminPassword: ADMIN_PASSWORD,
    // The bench measures the server's throughput as one user at many connections: the per-user fair share
    // (README, Security) would measure the limit instead.
    env: { RATE_LIMIT_CALLS: "1000000000", MAX_CONCURRENT_CALLS: "1000", MAX_QUEUED_CALLS: "100000" },
  });
  const floor = start(resolve(serverDir, "node_modules/.bin/tsx"), ["bench/floor-server.ts"], {
    DATABASE_URL: databaseUrl,
  });
  const floorPort = await floor.port;
  const floorBase = `http://127.0.0.1:${floorPort}`;

  const login = async (username: string, password: string) => {
    const res = await fetch(`${api}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    return ((await res.json()) as { access: string }).access;
  };
  const adminToken = await login("admin", ADMIN_PASSWORD);
  const internToken = await login("intern1", INTERN_PASSWORD);
  const ids = rowsOf<{ id: string }>(
    await database.db.execute(sql`select id from tasks order by random() limit 2000`),
  ).map((r) => r.id);
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
  // An API key of the admin (unscoped): the same user as adminToken, authenticated the other way.
  const adminKey = (
    (await (
      await fetch(`${api}/api/api-keys`, {
        method: "POST",
        headers: auth(adminToken),
        body: JSON.stringify({ name: "bench" }),
      })
    ).json()) as { secret: string }
  ).secret;
  // One create under an Idempotency-Key: every later request with it is a replay of this answer.
  const REPLAY_KEY = "bench-replayed-create";
  const replayBody = JSON.stringify({ title: "bench replayed task", priority: "LOW" });
  await fetch(`${api}/api/tasks`, {
    method: "POST",
    headers: { ...auth(adminToken), "idempotency-key": REPLAY_KEY },
    body: replayBody,
  });

  const listPath = () => `/api/tasks?page=${1 + Math.floor(Math.random() * 50)}`;
  const DEEP = Math.min(4000, Math.floor(TASKS / 20));
  const cursorAtDepth = async (ordering: string) => {
    const page = await fetch(`${api}/api/tasks?${ordering}page=${DEEP - 1}`, { headers: auth(adminToken) });
    return `/api/tasks?${ordering}cursor=${encodeURIComponent(((await page.json()) as { nextCursor: string }).nextCursor)}`;
  };
  // The default ordering, the two an index could not serve at first (see docs/benchmarks.md, item 8), and two
  // fields, which no index has (items 10 and 11).
  const deepCursors = {
    default: await cursorAtDepth(""),
    dueDate: await cursorAtDepth("ordering=-dueDate&"),
    status: await cursorAtDepth("ordering=status&"),
    twoFields: await cursorAtDepth("ordering=dueDate,-priority&"),
    byPriority: await cursorAtDepth("ordering=-priority,dueDate&"),
  };
  const scenarios: Scenario[] = [
    {
      name: "(a) admin list, random page 1-50",
      base: "api",
      requests: [
        { method: "GET", headers: auth(adminToken), setupRequest: (r) => ({ ...r, path: listPath() }) },
      ],
    },
    {
      name: "(b) filtered list",
      base: "api",
      requests: [
        {
          method: "GET",
          path: "/api/tasks?status=PENDING,IN_PROGRESS&priority=HIGH&ordering=dueDate",
          headers: auth(adminToken),
        },
      ],
    },
    {
      name: "(c) get by id",
      base: "api",
      requests: [
        {
          method: "GET",
          headers: auth(adminToken),
          setupRequest: (r) => ({ ...r, path: `/api/tasks/${pick(ids)}` }),
        },
      ],
    },
    {
      name: "(o) get by id with an API key",
      base: "api",
      requests: [
        {
          method: "GET",
          headers: auth(adminKey),
          setupRequest: (r) => ({ ...r, path: `/api/tasks/${pick(ids)}` }),
        },
      ],
    },
    {
      name: "(p) replayed idempotent create",
      base: "api",
      requests: [
        {
          method: "POST",
          path: "/api/tasks",
          headers: { ...auth(adminToken), "idempotency-key": REPLAY_KEY },
          body: replayBody,
        },
      ],
    },
    {
      name: "(f) intern list",
      base: "api",
      requests: [{ method: "GET", path: "/api/tasks", headers: auth(internToken) }],
    },
    {
      name: `(h) deep page ${DEEP} by page`,
      base: "api",
      requests: [{ method: "GET", path: `/api/tasks?page=${DEEP}`, headers: auth(adminToken) }],
    },
    {
      name: `(i) deep page ${DEEP} by cursor`,
      base: "api",
      requests: [{ method: "GET", path: deepCursors.default, headers: auth(adminToken) }],
    },
    {
      name: `(j) deep page ${DEEP} by cursor, ordering=-dueDate`,
      base: "api",
      requests: [{ method: "GET", path: deepCursors.dueDate, headers: auth(adminToken) }],
    },
    {
      name: `(k) deep page ${DEEP} by cursor, ordering=status`,
      base: "api",
      requests: [{ method: "GET", path: deepCursors.status, headers: auth(adminToken) }],
    },
    {
      name: `(l) deep page ${DEEP} by cursor, ordering=dueDate,-priority`,
      base: "api",
      requests: [{ method: "GET", path: deepCursors.twoFields, headers: auth(adminToken) }],
    },
    {
      name: `(m) deep page ${DEEP} by cursor, ordering=-priority,dueDate`,
      base: "api",
      requests: [{ method: "GET", path: deepCursors.byPriority, headers: auth(adminToken) }],
    },
    {
      name: "(n) first page, ordering=-priority,dueDate",
      base: "api",
      requests: [{ method: "GET", path: "/api/tasks?ordering=-priority,dueDate", headers: auth(adminToken) }],
    },
    {
      name: "(g) list through tRPC, batched",
      base: "api",
      requests: [
        {
          method: "GET",
          headers: auth(adminToken),
          setupRequest: (r) => ({
            ...r,
            path: `/trpc/tasks.list?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { page: 1 + Math.floor(Math.random() * 50) } }))}`,
          }),
        },
      ],
    },
  ];
  // Writes last: their new rows, dead tuples and autovacuum would otherwise weigh on the reads after them.
  const writes: Scenario[] = [
    {
      name: "(d) create",
      base: "api",
      requests: [
        {
          method: "POST",
          path: "/api/tasks",
          headers: auth(adminToken),
          body: JSON.stringify({ title: "bench task", priority: "LOW" }),
        },
      ],
    },
    {
      name: "(e) PATCH toggling priority",
      base: "api",
      requests: [
        {
          method: "PATCH",
          headers: auth(adminToken),
          setupRequest: (r) => ({
            ...r,
            path: `/api/tasks/${pick(ids)}`,
            body: JSON.stringify({ priority: Math.random() < 0.5 ? "LOW" : "HIGH" }),
          }),
        },
      ],
    },
  ];
  const floors: Scenario[] = [
    {
      name: "(a) admin list, random page 1-50",
      base: "floor",
      requests: [
        {
          method: "GET",
          setupRequest: (r) => ({ ...r, path: `/floor/tasks?page=${1 + Math.floor(Math.random() * 50)}` }),
        },
      ],
    },
    {
      name: "(b) filtered list",
      base: "floor",
      requests: [{ method: "GET", path: "/floor/tasks/filtered" }],
    },
    {
      name: "(c) get by id",
      base: "floor",
      requests: [{ method: "GET", setupRequest: (r) => ({ ...r, path: `/floor/tasks/${pick(ids)}` }) }],
    },
  ];

  const results: Row[] = [];
  for (const s of scenarios.filter((x) => selected(x.name))) results.push(await drive(api, s));

  // Issue 20's comparisons, which run-to-run drift (±15 %) would decide in one pass each: the three scenarios
  // in turn, five rounds, and each one's median throughput.
  let abRounds:
    | { get: number; key: number; replay: number; keyRatio: number; replayRatio: number }
    | undefined;
  if (selected("ab")) {
    const named = (prefix: string) => scenarios.find((x) => x.name.startsWith(prefix))!;
    const series = { get: [] as number[], key: [] as number[], replay: [] as number[] };
    for (let round = 0; round < 5; round++) {
      for (const [which, prefix] of [
        ["get", "(c)"],
        ["key", "(o)"],
        ["replay", "(p)"],
      ] as const) {
        const r = (await autocannon({
          url: api,
          connections: CONNECTIONS,
          duration: 4,
          requests: named(prefix).requests,
        })) as unknown as autocannon.Result;
        series[which].push(Math.round(r.requests.average));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Each round's ratio to the token's get in the same round: the pair shares the machine's mood of the moment.
    const ratio = (xs: number[]) => median(xs.map((x, i) => x / series.get[i]!));
    abRounds = {
      get: median(series.get),
      key: median(series.key),
      replay: median(series.replay),
      keyRatio: Number(ratio(series.key).toFixed(2)),
      replayRatio: Number(ratio(series.replay).toFixed(2)),
    };
    console.log(
      `A/B, medians of 5 interleaved rounds: ${JSON.stringify(abRounds)} (${JSON.stringify(series)})`,
    );
  }
  const floorRows: Row[] = [];
  for (const s of floors.filter((x) => selected(x.name))) floorRows.push(await drive(floorBase, s));
  floor.child.kill("SIGTERM");

  const pool = postgres(databaseUrl, { max: 10, onnotice: () => {} });
  const [intern] = await pool`select id from users where username = 'intern1'`;
  const PAGE = 20;
  const naiveRows: Row[] = [];
  const naiveOf = async (name: string, query: () => Promise<unknown>) => {
    if (selected(name)) naiveRows.push(await naive(name, query));
  };
  await naiveOf("(a) admin list, random page 1-50", () => {
    const offset = Math.floor(Math.random() * 50) * PAGE;
    return Promise.all([
      pool`select count(*)::int from tasks`,
      pool`select * from tasks order by created_at desc, id desc limit ${PAGE} offset ${offset}`,
    ]);
  });
  await naiveOf("(b) filtered list", () => {
    const where = pool`where status in ('PENDING', 'IN_PROGRESS') and priority = 'HIGH'`;
    return Promise.all([
      pool`select count(*)::int from tasks ${where}`,
      pool`select * from tasks ${where} order by due_date asc nulls last, id asc limit ${PAGE}`,
    ]);
  });
  await naiveOf("(f) intern list", () => {
    const where = pool`where assignee_id = ${intern!.id} or created_by_id = ${intern!.id}`;
    return Promise.all([
      pool`select count(*)::int from tasks ${where}`,
      pool`select * from tasks ${where} order by created_at desc, id desc limit ${PAGE}`,
    ]);
  });
  await pool.end();
  for (const s of writes.filter((x) => selected(x.name))) results.push(await drive(api, s));

  // Bulk updates of 1,000 tasks (by id, each changing every task's priority, so 1,000 UPDATED entries), one after
  // another, timed from the client.
  let bulk: { rounds: number; p50: number; p99: number; max: number } | undefined;
  if (selected("bulk")) {
    const times: number[] = [];
    for (let round = 0; round < 30; round++) {
      const batch = rowsOf<{ id: string }>(
        await database.db.execute(sql`select id from tasks order by random() limit 1000`),
      ).map((r) => r.id);
      const started = performance.now();
      const res = await fetch(`${api}/api/tasks/bulk-update`, {
        method: "POST",
        headers: auth(adminToken),
        body: JSON.stringify({
          ids: batch,
          set: { priority: round % 2 ? "HIGH" : "LOW", status: "IN_PROGRESS" },
        }),
      });
      const answer = (await res.json()) as { updated: number };
      times.push(performance.now() - started);
      if (res.status !== 200)
        throw new Error(`bulk update answered ${res.status}: ${JSON.stringify(answer)}`);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
    bulk = { rounds: times.length, p50: at(0.5), p99: at(0.99), max: Math.round(times.at(-1)!) };
    console.log(`bulk update of 1,000 tasks: ${JSON.stringify(bulk)}`);
  }
  // The sweep: a backlog of exactly --sweep-eligible tasks, picked at random among all of them (the write
  // scenarios' new tasks included), by one UPDATE in heap order so that they stay where they were among the
  // others. work_mem holds the picked ids, so that `id in (picked)` is hashed, not scanned for every row.
  async function makeBacklog() {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local work_mem = '256MB'`);
      await tx.execute(sql`
        with picked as (select id from tasks order by random() limit ${SWEEP_ELIGIBLE})
        update tasks set due_date = now() - interval '1 day',
          status = case when id in (select id from picked) then 'PENDING'::task_status
            else 'COMPLETED'::task_status end`);
    });
    await database.db.execute(sql`vacuum analyze tasks`);
    // The backlog's UPDATE left the whole table dirty: written out now, not by a checkpoint during the measure.
    await database.db.execute(sql`checkpoint`);
  }
  const stillDue = async () =>
    rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from tasks where due_date < now() and status in ('PENDING', 'IN_PROGRESS')`,
      ),
    )[0]!.n;

  // Alone, as the worker runs it.
  async function measureSweep() {
    await makeBacklog();
    const sweepStart = performance.now();
    const swept = await sweepOverdue(database.db, { batchSize: SWEEP_BATCH_SIZE });
    const sweepMs = Math.round(performance.now() - sweepStart);
    console.log(`sweep: ${swept.markedOverdue} tasks in ${sweepMs} ms`);
    return { swept, sweepMs };
  }

  // Beside users: GETs and PATCHes of the backlog's tasks at --connections while the sweep marks them. The
  // same load for a few seconds before, without the sweep, is the baseline. A task a PATCH holds when its batch
  // comes is skipped (the next run marks it): counted as left due.
  async function measureSweepUnderLoad() {
    await makeBacklog();
    const token = await login("admin", ADMIN_PASSWORD);
    const backlogIds = rowsOf<{ id: string }>(
      await database.db.execute(
        sql`select id from tasks where status = 'PENDING' and due_date < now() order by random() limit 2000`,
      ),
    ).map((r) => r.id);
    let flip = 0;
    const requests: autocannon.Request[] = [
      {
        method: "GET",
        headers: auth(token),
        setupRequest: (r) => ({ ...r, path: `/api/tasks/${pick(backlogIds)}` }),
      },
      {
        method: "PATCH",
        headers: auth(token),
        setupRequest: (r) => ({
          ...r,
          path: `/api/tasks/${pick(backlogIds)}`,
          body: JSON.stringify({ priority: ++flip % 2 ? "HIGH" : "LOW" }),
        }),
      },
    ];
    const load = (duration: number) => {
      let instance: ReturnType<typeof autocannon> | undefined;
      const result = new Promise<autocannon.Result>((res, rej) => {
        instance = autocannon({ url: api, connections: CONNECTIONS, duration, requests }, (err, r) =>
          err ? rej(err) : res(r),
        );
      });
      return { result, stop: () => instance!.stop() };
    };
    const row = (name: string, r: autocannon.Result): Row => ({
      name,
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    });
    const baseline = row("GET and PATCH of due tasks, no sweep", await load(WARMUP + 2).result);
    const during = load(600);
    await new Promise((r) => setTimeout(r, 1000)); // the load is running before the sweep starts
    const sweepStart = performance.now();
    const swept = await sweepOverdue(database.db, { batchSize: SWEEP_BATCH_SIZE });
    const sweepMs = Math.round(performance.now() - sweepStart);
    during.stop();
    const underSweep = row("GET and PATCH of due tasks, during the sweep", await during.result);
    const leftDue = await stillDue();
    for (const r of [baseline, underSweep])
      console.log(
        `${r.name.padEnd(46)} ${r.rps} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}`,
      );
    console.log(`sweep beside the load: ${swept.markedOverdue} tasks in ${sweepMs} ms; ${leftDue} left due`);
    return { baseline, underSweep, swept, sweepMs, leftDue };
  }

  // The console's tasks page at 100 tasks a page, in Debian's Chromium (packages/console/bench/render.ts).
  let consoleRender:
    | { rounds: number; totalP50: number; totalP99: number; renderP50: number; renderP99: number }
    | undefined;
  if (selected("console")) {
    try {
      const out = execFileSync(
        process.execPath,
        ["--import", "tsx", "bench/render.ts", "--base", api, "--password", ADMIN_PASSWORD],
        { cwd: resolve(serverDir, "../console"), encoding: "utf8" },
      );
      consoleRender = JSON.parse(out.trim().split("\n").at(-1)!);
      console.log(`console, a page of 100 tasks: ${JSON.stringify(consoleRender)}`);
    } catch (err) {
      // Reported, and the rest of the bench goes on (its server is still to be stopped).
      console.error(`console render measurement failed: ${(err as Error).message}`);
    }
  }

  const underLoad = selected("sweep") ? await measureSweepUnderLoad() : undefined;
  const rss = peakRssMb(server.pid!);
  server.kill("SIGTERM");
  if (only) {
    for (const r of results) {
      const n = naiveRows.find((x) => x.name === r.name);
      const f = floorRows.find((x) => x.name === r.name);
      console.log(
        `${r.name}: ${r.rps} req/s${f ? `, ${(r.rps / f.rps).toFixed(2)} of the floor` : ""}${n ? `, ${(r.rps / n.rps).toFixed(2)}x naive` : ""}; peak RSS ${rss} MB`,
      );
    }
    console.log(`server peak RSS over what ran: ${rss} MB`);
    if (selected("sweep")) await measureSweep();
    await fresh.drop();
    return;
  }

  const { swept, sweepMs } = await measureSweep();
  await fresh.drop();
  const loaded = underLoad!;

  const node = process.version;
  const pg = execFileSync("psql", ["--version"]).toString().trim();
  const ratio = (name: string) => {
    const ours = results.find((r) => r.name === name)!;
    const bare = floorRows.find((r) => r.name === name)!;
    return (ours.rps / bare.rps).toFixed(2);
  };
  const table = [
    "| scenario | req/s | p50 ms | p99 ms | non-2xx | errors | floor req/s | ratio to floor | naive SQL q/s | ratio to naive |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((r) => {
      const f = floorRows.find((x) => x.name === r.name);
      const n = naiveRows.find((x) => x.name === r.name);
      return `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${f ? f.rps : ""} | ${f ? ratio(r.name) : ""} | ${n ? n.rps : ""} | ${n ? (r.rps / n.rps).toFixed(2) : ""} |`;
    }),
  ].join("\n");
  const report = `## Last run, ${TASKS.toLocaleString("en")} tasks

- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${node}, ${pg}
- Command: \`pnpm bench --tasks ${TASKS} --duration ${DURATION} --connections ${CONNECTIONS} --sweep-eligible ${SWEEP_ELIGIBLE} --sweep-batch-size ${SWEEP_BATCH_SIZE}\` (warm-up ${WARMUP} s per scenario)
- Data: ${TASKS} seeded tasks (seeded in ${(seeded.ms / 1000).toFixed(1)} s), 10 interns
- Server: the production bundle (\`node dist/main.js\`, NODE_ENV=production, NODE_OPTIONS="${imageNodeOptions}" as in the Dockerfile, pool of 10), autocannon in the same machine

${table}

${
  consoleRender
    ? `- Console (Debian's Chromium, headless), the tasks page at 100 tasks a page, next page ${consoleRender.rounds} times: rows painted **${consoleRender.renderP50} ms (p50), ${consoleRender.renderP99} ms (p99)** after the list's answer arrived; ${consoleRender.totalP50} ms (p50), ${consoleRender.totalP99} ms (p99) from the click, the request included`
    : "- Console: not measured in this run (its measurement failed; see the bench's output)"
}
- Interleaved, 5 rounds of 4 s each in turn (medians): get by id with an access token **${abRounds?.get} req/s**, with an API key **${abRounds?.key} req/s** (**${abRounds?.keyRatio}×** the token's get of the same round, median), a replayed idempotent create **${abRounds?.replay} req/s** (**${abRounds?.replayRatio}×**)
- Bulk update of 1,000 tasks named by id (priority and status, so about 2,000 UPDATED entries), ${bulk?.rounds} requests one after another: **${bulk?.p50} ms (p50), ${bulk?.p99} ms (p99)**, ${bulk?.max} ms at most, from the client
- Server peak RSS (VmHWM) over all scenarios: **${rss} MB**
- Overdue sweep of ${swept.markedOverdue} eligible tasks, in batches of ${SWEEP_BATCH_SIZE}: **${sweepMs} ms**
- The same sweep beside GETs and PATCHes of the backlog's tasks at ${CONNECTIONS} connections: ${loaded.swept.markedOverdue} tasks in **${loaded.sweepMs} ms** (${loaded.leftDue} held by a PATCH when their batch came, left for the next run); requests p50 ${loaded.underSweep.p50} ms, **p99 ${loaded.underSweep.p99} ms**, ${loaded.underSweep.rps} req/s, non-2xx ${loaded.underSweep.non2xx} (without the sweep: p99 ${loaded.baseline.p99} ms, ${loaded.baseline.rps} req/s)
`;
  const doc = readFileSync(args.out, "utf8");
  // Each data size has its own section, so the scale run does not replace the standard one.
  const name = TASKS === 100_000 ? "bench:results" : `bench:results:${TASKS}`;
  const [open, close] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const [head, rest] = doc.includes(open) ? doc.split(open) : [`${doc.trimEnd()}\n\n`, close];
  const tail = rest?.split(close)[1] ?? "";
  writeFileSync(args.out, `${head}${open}\n${report}${close}${tail}`);
  console.log(`\nwrote ${args.out}`);
}

await main();
process.exit(0);

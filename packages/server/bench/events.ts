// `pnpm bench:events`: the built server's event streams (issue 21). Commit-to-client latency for many connected
// SSE clients while tasks are created at a steady rate, and the server's RSS with many idle streams. Prints the
// figures; docs/benchmarks.md ("Events") records them by hand, with the day's context.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { freshDatabase, startBuiltServer } from "./harness";
import { seed } from "./seed";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "500" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    idle: { type: "string", default: "500,5000" },
  },
});
const ADMIN_PASSWORD = "bench-admin-password";

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
}

/** An open stream that notes when each event naming a task title `bench <n>` arrives. */
async function openStream(base: string, token: string, seen: (n: number) => void) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/events?type=task.created`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`stream refused: ${res.status} ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const m of value.matchAll(/"title":"bench (\d+)"/g)) seen(Number(m[1]));
      }
    } catch {
      // closed
    }
  })();
  return () => abort.abort();
}

async function main() {
  const fresh = await freshDatabase("taskmgr_bench_events");
  await seed(fresh.database, { tasks: 1000, users: 10, overdueFraction: 0, adminPassword: ADMIN_PASSWORD });
  const { child: server, base } = await startBuiltServer({
    databaseUrl: fresh.url,
    adminPassword: ADMIN_PASSWORD,
    env: {
      RATE_LIMIT_CALLS: "1000000000",
      MAX_CONCURRENT_CALLS: "100000",
      MAX_QUEUED_CALLS: "100000",
      EVENTS_MAX_STREAMS_PER_USER: "100000",
      EVENTS_MAX_QUEUED: "100000",
    },
  });
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  const { access: token } = (await login.json()) as { access: string };
  try {
    // Latency: every client should see every create; each arrival is timed from the create's answer.
    const clients = Number(args.clients);
    const committedAt = new Map<number, number>();
    const latencies: number[] = [];
    const early: number[] = [];
    const closers: (() => void)[] = [];
    for (let i = 0; i < clients; i++) {
      closers.push(
        await openStream(base, token, (n) => {
          const at = committedAt.get(n);
          if (at === undefined) early.push(n);
          else latencies.push(performance.now() - at);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rate = Number(args.rate);
    const total = rate * Number(args.seconds);
    const started = performance.now();
    const writes: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      writes.push(
        fetch(`${base}/api/tasks`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ title: `bench ${n}` }),
        }).then(async (r) => {
          await r.arrayBuffer();
          committedAt.set(n, performance.now());
        }),
      );
    }
    await Promise.all(writes);
    const expected = total * clients;
    for (let i = 0; i < 300 && latencies.length + early.length < expected; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
    console.log(
      `latency, ${clients} clients, ${rate} creates/s for ${args.seconds} s: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ` +
        `${latencies.length + early.length} of ${expected} deliveries (${early.length} before the create's answer); ` +
        `server RSS ${rssMb(server.pid!)} MB`,
    );
    for (const close of closers) close();
    await new Promise((r) => setTimeout(r, 1000));

    // Idle streams: open, let settle, read the server's RSS.
    for (const count of args.idle.split(",").map(Number)) {
      const idle: (() => void)[] = [];
      for (let i = 0; i < count; i++) idle.push(await openStream(base, token, () => {}));
      await new Promise((r) => setTimeout(r, 3000));
      console.log(`${count} idle streams: server RSS ${rssMb(server.pid!)} MB`);
      for (const close of idle) close();
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    server.kill("SIGTERM");
    await fresh.drop();
  }
}

await main();
process.exit(0);

// The soak: every operation mixed from many connections for a fixed time against a running server, then an
// audit of the database against what the clients were told. Loopback only; stops by itself.
//   pnpm soak [--seconds 60] [--connections 64] [--hostile]   (starts the built server on a fresh local database)
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Database, rowsOf } from "@taskmgr/db";
import { sql } from "drizzle-orm";

export interface SoakOptions {
  base: string;
  database: Database;
  seconds: number;
  connections: number;
  /** The server's pid, for its memory (Linux /proc). */
  pid?: number;
  adminPassword: string;
  /** Normal users per role; connection i acts as user i mod 2·users. */
  users?: number;
  /**
   * Mix in a hostile intern (see hostileClient) and report the others' latency beside it; the others then pause
   * 100 ms between requests. Run the server with its default limits for this.
   */
  hostile?: boolean;
}

export interface SoakReport {
  requests: number;
  byStatus: Record<string, number>;
  networkErrors: number;
  serverErrors: number;
  tasksCreated: number;
  tasksDeleted: number;
  logMismatches: string[];
  rssMb: number[];
  /** Latency of the normal users' requests, ms. */
  p50: number;
  p99: number;
  /** What the hostile client was answered, by status (empty without one). */
  hostileByStatus: Record<string, number>;
}

interface Ledger {
  updated: number;
  deleted: boolean;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(o.base))
    throw new Error("the soak runs on loopback only");
  let timed = false;
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const started = performance.now();
    const res = await fetch(`${o.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (timed) latencies.push(performance.now() - started);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const login = async (username: string, password: string) => {
    const res = await fetch(`${o.base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    return ((await res.json()) as { access: string }).access;
  };
  const root = await login("admin", o.adminPassword);
  const makeUser = async (role: "ADMIN" | "INTERN") => {
    const username = `soak${randomUUID().slice(0, 8)}`;
    const created = await call("POST", "/api/users", root, {
      username,
      password: "soak-user-password",
      role,
    });
    return { id: created.body.id as string, token: await login(username, "soak-user-password") };
  };
  // Several people, as in real use: each of them within the fair share the server gives one user.
  const perRole = o.users ?? 8;
  const admins = [{ id: "", token: root }];
  for (let i = 1; i < perRole; i++) admins.push(await makeUser("ADMIN"));
  const interns: { id: string; token: string }[] = [];
  for (let i = 0; i < perRole; i++) interns.push(await makeUser("INTERN"));
  const latencies: number[] = [];

  const ledger = new Map<string, Ledger>();
  const byStatus: Record<string, number> = {};
  let requests = 0;
  let networkErrors = 0;
  const rssMb: number[] = [];
  const sampler = setInterval(() => {
    if (!o.pid) return;
    try {
      const status = readFileSync(`/proc/${o.pid}/status`, "utf8");
      rssMb.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
    } catch {
      // the process is gone
    }
  }, 1000);

  const pickTask = () => {
    const live = [...ledger.entries()].filter(([, l]) => !l.deleted);
    return live.length ? live[Math.floor(Math.random() * live.length)]![0] : undefined;
  };
  const record = (status: number) => {
    requests++;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  };

  async function step(connection: number) {
    const r = Math.random();
    const slot = connection % (2 * perRole);
    const asIntern = slot >= perRole;
    const admin = admins[slot % perRole]!.token;
    const token = asIntern ? interns[slot % perRole]!.token : admin;
    const intern = interns[slot % perRole]!;
    if (r < 0.25 || ledger.size < 20) {
      const due = Math.random() < 0.2 ? new Date(Date.now() - 3600_000).toISOString() : null;
      const res = await call("POST", "/api/tasks", token, {
        title: `soak ${randomUUID()}`,
        priority: ["LOW", "MEDIUM", "HIGH"][Math.floor(Math.random() * 3)],
        dueDate: due,
        ...(asIntern ? {} : { assigneeId: Math.random() < 0.5 ? intern.id : null }),
      });
      record(res.status);
      if (res.status === 201) ledger.set(res.body.id, { updated: 0, deleted: false });
      return;
    }
    const id = pickTask();
    if (!id) return;
    if (r < 0.5) {
      // Always a real change: fresh text in one or two fields (one UPDATED entry each).
      const both = Math.random() < 0.3;
      const body = { title: `soak ${randomUUID()}`, ...(both ? { description: randomUUID() } : {}) };
      const withVersion = Math.random() < 0.3;
      let version: number | undefined;
      if (withVersion) {
        const got = await call("GET", `/api/tasks/${id}`, admin);
        record(got.status);
        version = got.body?.version;
      }
      const res = await call("PATCH", `/api/tasks/${id}`, admin, version ? { ...body, version } : body);
      record(res.status);
      if (res.status === 200) ledger.get(id)!.updated += both ? 2 : 1;
    } else if (r < 0.55) {
      const res = await call("DELETE", `/api/tasks/${id}`, admin);
      record(res.status);
      if (res.status === 204) ledger.get(id)!.deleted = true;
    } else if (r < 0.7) {
      record((await call("GET", `/api/tasks/${id}`, token)).status);
    } else if (r < 0.85) {
      record(
        (await call("GET", `/api/tasks?page=${1 + Math.floor(Math.random() * 5)}&ordering=-updatedAt`, token))
          .status,
      );
    } else if (r < 0.95) {
      record((await call("GET", `/api/tasks/${id}/logs`, admin)).status);
    } else if (r < 0.97) {
      record((await call("POST", "/api/admin/overdue-sweep", admin)).status);
    } else {
      record((await call("GET", "/api/tasks/logs?action=UPDATED", admin)).status);
    }
  }

  const until = Date.now() + o.seconds * 1000;
  const hostileByStatus: Record<string, number> = {};
  timed = true;
  await Promise.all([
    ...Array.from({ length: o.connections }, async (_, connection) => {
      while (Date.now() < until) {
        try {
          await step(connection);
        } catch {
          networkErrors++;
        }
        // Beside the hostile client, the others work at a person's or a service's pace (within the default
        // budget), so that their latency measures what the hostile client does to them, not a saturated box.
        if (o.hostile) await new Promise((r) => setTimeout(r, 100));
      }
    }),
    ...(o.hostile ? [hostileClient(o.base, await makeUser("INTERN"), until, hostileByStatus)] : []),
  ]);
  timed = false;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 10) / 10;

  // The audit: every change the clients were told about is there, with exactly its log entries.
  const rows = rowsOf<{ task_id: string; action: string; n: number }>(
    await o.database.db.execute(
      sql`select task_id, action, count(*)::int as n from activity_log group by task_id, action`,
    ),
  );
  const live = new Map(
    rowsOf<{ id: string; status: string }>(
      await o.database.db.execute(sql`select id, status from tasks`),
    ).map((t) => [t.id, t.status]),
  );
  const entries = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const e = entries.get(row.task_id) ?? {};
    e[row.action] = row.n;
    entries.set(row.task_id, e);
  }
  const logMismatches: string[] = [];
  for (const [id, l] of ledger) {
    const e = entries.get(id) ?? {};
    const expected = {
      CREATED: 1,
      UPDATED: l.updated,
      DELETED: l.deleted ? 1 : 0,
    };
    const got = { CREATED: e.CREATED ?? 0, UPDATED: e.UPDATED ?? 0, DELETED: e.DELETED ?? 0 };
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      logMismatches.push(`${id}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(got)}`);
    }
    if (l.deleted === live.has(id))
      logMismatches.push(`${id}: deleted=${l.deleted} but present=${live.has(id)}`);
    const marked = e.MARKED_OVERDUE ?? 0;
    if (marked > 1) logMismatches.push(`${id}: marked overdue ${marked} times`);
  }
  return {
    requests,
    byStatus,
    networkErrors,
    serverErrors: Object.entries(byStatus)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0),
    tasksCreated: ledger.size,
    tasksDeleted: [...ledger.values()].filter((l) => l.deleted).length,
    logMismatches,
    rssMb,
    p50: percentile(0.5),
    p99: percentile(0.99),
    hostileByStatus,
  };
}

/**
 * An intern who tries everything the security review found (issue 17): tRPC batches of the longest allowed
 * length with the largest inputs and answers, batches one call too long, password guesses in batches, and a
 * search built to be slow, from 8 connections at once, until `until`.
 */
async function hostileClient(
  base: string,
  intern: { token: string },
  until: number,
  byStatus: Record<string, number>,
) {
  const auth = { authorization: `Bearer ${intern.token}` };
  const json = { ...auth, "content-type": "application/json" };
  const batch = (procedure: string, n: number) => `/trpc/${Array(n).fill(procedure).join(",")}?batch=1`;
  const inputs = (n: number, input: unknown) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, input])));
  const description = "\u0001".repeat(10_000);
  const search = `${"a".repeat(199)}b`;
  const attacks: (() => Promise<Response>)[] = [
    () =>
      fetch(`${base}${batch("tasks.create", 10)}`, {
        method: "POST",
        headers: json,
        body: inputs(10, { title: "hostile", description }),
      }),
    () =>
      fetch(`${base}${batch("tasks.list", 10)}&input=${encodeURIComponent(inputs(10, { pageSize: 100 }))}`, {
        headers: auth,
      }),
    () =>
      fetch(`${base}${batch("tasks.logs", 10)}&input=${encodeURIComponent(inputs(10, { pageSize: 100 }))}`, {
        headers: auth,
      }),
    () =>
      fetch(`${base}${batch("auth.login", 10)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: inputs(10, { username: "admin", password: "guess-guess" }),
      }),
    () => fetch(`${base}${batch("tasks.list", 11)}`, { headers: auth }),
    () => fetch(`${base}/api/tasks?pageSize=100&search=${search}`, { headers: auth }),
  ];
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let i = worker; Date.now() < until; i++) {
        try {
          const res = await attacks[i % attacks.length]!();
          await res.arrayBuffer();
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        } catch {
          byStatus.network = (byStatus.network ?? 0) + 1;
        }
      }
    }),
  );
}

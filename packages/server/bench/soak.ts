// The soak: every operation mixed from many connections for a fixed time against a running server, then an
// audit of the database against what the clients were told. Loopback only; stops by itself.
//   pnpm soak [--seconds 60] [--connections 64]   (starts the built server on a fresh local database)
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
}

interface Ledger {
  updated: number;
  deleted: boolean;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(o.base))
    throw new Error("the soak runs on loopback only");
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${o.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
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
  const admin = await login("admin", o.adminPassword);
  const internName = `soak${randomUUID().slice(0, 8)}`;
  const intern = await call("POST", "/api/users", admin, {
    username: internName,
    password: "soak-intern-password",
    role: "INTERN",
  });
  const internToken = await login(internName, "soak-intern-password");

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

  async function step() {
    const r = Math.random();
    const asIntern = Math.random() < 0.3;
    const token = asIntern ? internToken : admin;
    if (r < 0.25 || ledger.size < 20) {
      const due = Math.random() < 0.2 ? new Date(Date.now() - 3600_000).toISOString() : null;
      const res = await call("POST", "/api/tasks", token, {
        title: `soak ${randomUUID()}`,
        priority: ["LOW", "MEDIUM", "HIGH"][Math.floor(Math.random() * 3)],
        dueDate: due,
        ...(asIntern ? {} : { assigneeId: Math.random() < 0.5 ? intern.body.id : null }),
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
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (Date.now() < until) {
        try {
          await step();
        } catch {
          networkErrors++;
        }
      }
    }),
  );
  clearInterval(sampler);

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
  };
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// Every operation, as every kind of caller, against every kind of target, through both doors (tRPC alone and in a
// mixed batch), compared with the
// role matrix of API.md. A refused call must also leave the target as it was.
type Caller = "anonymous" | "intern" | "admin" | "internKey";
type Target = "own" | "assigned" | "foreign";
type Door = "rest" | "trpc" | "batch";

interface Targets {
  own: string; // created by the intern (so assigned to them)
  assigned: string; // created by the admin, assigned to the intern
  foreign: string; // created by the admin, assigned to another intern
}

interface MatrixContext {
  intern: TestUser;
  other: TestUser;
  admin: TestUser;
  /** API keys to revoke: the intern's and the admin's (revoking twice is allowed). */
  internKeyId: string;
  adminKeyId: string;
}

interface Op {
  name: string;
  proc: string;
  kind: "query" | "mutation";
  method: string;
  path: (id: string) => string;
  input: (id: string, ctx: MatrixContext) => Record<string, unknown>;
  /** Fields the REST door takes from the path (the rest is body or query). */
  pathFields?: string[];
  /** The procedure takes no input at all: tRPC gets none (an empty object would be a 400). */
  voidInput?: boolean;
  onTask: boolean;
  /** The intern's API key (unscoped) acts as the intern; the matrix lists the other callers. */
  expect: Record<Exclude<Caller, "internKey">, number | Record<Target, number>>;
}

const both = (intern: Record<Target, number>) => intern;
const ops: Op[] = [
  {
    name: "get a task",
    proc: "tasks.get",
    kind: "query",
    method: "GET",
    path: (id) => `/api/tasks/${id}`,
    input: (id) => ({ id }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 200, foreign: 404 }) },
  },
  {
    name: "change a task's title",
    proc: "tasks.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/tasks/${id}`,
    input: (id) => ({ id, title: "renamed" }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 403, foreign: 404 }) },
  },
  {
    name: "change a task's priority and due date",
    proc: "tasks.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/tasks/${id}`,
    input: (id) => ({ id, priority: "HIGH", dueDate: "2031-01-01T00:00:00.000Z" }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 403, foreign: 404 }) },
  },
  {
    name: "change a task's status",
    proc: "tasks.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/tasks/${id}`,
    input: (id) => ({ id, status: "IN_PROGRESS" }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 200, foreign: 404 }) },
  },
  {
    name: "change a task's assignee",
    proc: "tasks.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/tasks/${id}`,
    input: (id, c) => ({ id, assigneeId: c.other.id }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 403, assigned: 403, foreign: 404 }) },
  },
  {
    name: "delete a task",
    proc: "tasks.delete",
    kind: "mutation",
    method: "DELETE",
    path: (id) => `/api/tasks/${id}`,
    input: (id) => ({ id }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 204, intern: both({ own: 403, assigned: 403, foreign: 403 }) },
  },
  {
    name: "read a task's history",
    proc: "tasks.logsOf",
    kind: "query",
    method: "GET",
    path: (id) => `/api/tasks/${id}/logs`,
    input: (id) => ({ id }),
    pathFields: ["id"],
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 200, foreign: 404 }) },
  },
  {
    name: "list tasks",
    proc: "tasks.list",
    kind: "query",
    method: "GET",
    path: () => "/api/tasks",
    input: () => ({}),
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
  {
    name: "list the activity log",
    proc: "tasks.logs",
    kind: "query",
    method: "GET",
    path: () => "/api/tasks/logs",
    input: () => ({}),
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
  {
    name: "create a task for oneself",
    proc: "tasks.create",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks",
    input: () => ({ title: "mine" }),
    onTask: false,
    expect: { anonymous: 401, admin: 201, intern: 201 },
  },
  {
    name: "create a task for someone else",
    proc: "tasks.create",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks",
    input: (_id, c) => ({ title: "theirs", assigneeId: c.other.id }),
    onTask: false,
    expect: { anonymous: 401, admin: 201, intern: 403 },
  },
  {
    name: "list users",
    proc: "users.list",
    kind: "query",
    method: "GET",
    path: () => "/api/users",
    input: () => ({}),
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "create a user",
    proc: "users.create",
    kind: "mutation",
    method: "POST",
    path: () => "/api/users",
    input: () => ({
      username: `u${Math.random().toString(36).slice(2, 9)}`,
      password: "long-enough-pw",
      role: "INTERN",
    }),
    onTask: false,
    expect: { anonymous: 401, admin: 201, intern: 403 },
  },
  {
    name: "view oneself",
    proc: "users.get",
    kind: "query",
    method: "GET",
    path: (id) => `/api/users/${id}`,
    input: (_id, c) => ({ id: c.intern.id }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
  {
    name: "view another user",
    proc: "users.get",
    kind: "query",
    method: "GET",
    path: (id) => `/api/users/${id}`,
    input: (_id, c) => ({ id: c.other.id }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "change one's own email",
    proc: "users.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/users/${id}`,
    input: (_id, c) => ({ id: c.intern.id, email: "me@example.com" }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
  {
    name: "promote oneself",
    proc: "users.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/users/${id}`,
    input: (_id, c) => ({ id: c.intern.id, role: "INTERN" }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "deactivate another user",
    proc: "users.update",
    kind: "mutation",
    method: "PATCH",
    path: (id) => `/api/users/${id}`,
    input: (_id, c) => ({ id: c.other.id, isActive: true }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "run the overdue sweep",
    proc: "admin.overdueSweep",
    kind: "mutation",
    method: "POST",
    path: () => "/api/admin/overdue-sweep",
    input: () => ({}),
    voidInput: true,
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "change tasks in bulk (status, by id)",
    proc: "tasks.bulkUpdate",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks/bulk-update",
    input: (id) => ({ ids: [id], set: { status: "IN_PROGRESS" } }),
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 200, foreign: 404 }) },
  },
  {
    name: "change tasks in bulk (priority, by id)",
    proc: "tasks.bulkUpdate",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks/bulk-update",
    input: (id) => ({ ids: [id], set: { priority: "HIGH" } }),
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 200, assigned: 403, foreign: 404 }) },
  },
  {
    name: "reassign tasks in bulk",
    proc: "tasks.bulkUpdate",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks/bulk-update",
    input: (id, c) => ({ ids: [id], set: { assigneeId: c.other.id } }),
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 403, assigned: 403, foreign: 404 }) },
  },
  {
    name: "delete tasks in bulk",
    proc: "tasks.bulkDelete",
    kind: "mutation",
    method: "POST",
    path: () => "/api/tasks/bulk-delete",
    input: (id) => ({ ids: [id] }),
    onTask: true,
    expect: { anonymous: 401, admin: 200, intern: both({ own: 403, assigned: 403, foreign: 403 }) },
  },
  {
    name: "list one's own API keys",
    proc: "apiKeys.list",
    kind: "query",
    method: "GET",
    path: () => "/api/api-keys",
    input: () => ({}),
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
  {
    name: "list another user's API keys",
    proc: "apiKeys.list",
    kind: "query",
    method: "GET",
    path: () => "/api/api-keys",
    input: (_id, c) => ({ userId: c.other.id }),
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 403 },
  },
  {
    name: "make an API key for oneself",
    proc: "apiKeys.create",
    kind: "mutation",
    method: "POST",
    path: () => "/api/api-keys",
    input: () => ({ name: "mine" }),
    onTask: false,
    expect: { anonymous: 401, admin: 201, intern: 201 },
  },
  {
    name: "make an API key for another user",
    proc: "apiKeys.create",
    kind: "mutation",
    method: "POST",
    path: () => "/api/api-keys",
    input: (_id, c) => ({ name: "theirs", userId: c.other.id }),
    onTask: false,
    expect: { anonymous: 401, admin: 201, intern: 403 },
  },
  {
    name: "revoke one's own API key",
    proc: "apiKeys.revoke",
    kind: "mutation",
    method: "DELETE",
    path: (id) => `/api/api-keys/${id}`,
    input: (_id, c) => ({ id: c.internKeyId }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 204, intern: 204 },
  },
  {
    name: "revoke another user's API key",
    proc: "apiKeys.revoke",
    kind: "mutation",
    method: "DELETE",
    path: (id) => `/api/api-keys/${id}`,
    input: (_id, c) => ({ id: c.adminKeyId }),
    pathFields: ["id"],
    onTask: false,
    expect: { anonymous: 401, admin: 204, intern: 404 },
  },
  {
    name: "who am I",
    proc: "auth.me",
    kind: "query",
    method: "GET",
    path: () => "/api/auth/me",
    input: () => ({}),
    voidInput: true,
    onTask: false,
    expect: { anonymous: 401, admin: 200, intern: 200 },
  },
];

describe("the authorization matrix of API.md, on both doors", () => {
  let h: Harness;
  let intern: TestUser;
  let other: TestUser;
  let internKey: string;
  let keys: Pick<MatrixContext, "internKeyId" | "adminKeyId">;
  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
    other = await h.makeUser("INTERN");
    const make = async (token: string, name: string) => {
      const res = await h.rest("POST", "/api/api-keys", { token, body: { name } });
      expect(res.status).toBe(201);
      return res.body as { id: string; secret: string };
    };
    internKey = (await make(intern.access, "acts as the intern")).secret;
    keys = {
      internKeyId: (await make(intern.access, "to revoke")).id,
      adminKeyId: (await make(h.admin.access, "to revoke")).id,
    };
  });
  afterAll(() => h?.close());

  async function freshTargets(): Promise<Targets> {
    const make = async (token: string, body: Record<string, unknown>) => {
      const res = await h.rest("POST", "/api/tasks", { token, body });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    return {
      own: await make(intern.access, { title: "own" }),
      assigned: await make(h.admin.access, { title: "assigned", assigneeId: intern.id }),
      foreign: await make(h.admin.access, { title: "foreign", assigneeId: other.id }),
    };
  }

  async function call(door: Door, op: Op, token: string | null, input: Record<string, unknown>, id: string) {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (door === "rest") {
      const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !op.pathFields?.includes(k)));
      if (op.method === "GET" || op.method === "DELETE") {
        const qs = new URLSearchParams(rest as Record<string, string>).toString();
        return (
          await h.app.request(`${op.path(String(input.id ?? id))}${qs ? `?${qs}` : ""}`, {
            method: op.method,
            headers,
          })
        ).status;
      }
      return (
        await h.app.request(op.path(String(input.id ?? id)), {
          method: op.method,
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(rest),
        })
      ).status;
    }
    if (door === "batch") {
      // The call as the second of a batch, after a harmless call of the other kind's procedure: queries in a GET
      // batch, mutations in a POST batch. Its own answer in the batch is what counts.
      const first = op.kind === "query" ? "auth.me" : "auth.logout";
      const inputs: Record<string, unknown> = op.kind === "query" ? {} : { 0: { refresh: "not-a-token" } };
      if (!op.voidInput) inputs[1] = input;
      const path = `/trpc/${first},${op.proc}?batch=1`;
      const res =
        op.kind === "query"
          ? await h.app.request(`${path}&input=${encodeURIComponent(JSON.stringify(inputs))}`, { headers })
          : await h.app.request(path, {
              method: "POST",
              headers: { ...headers, "content-type": "application/json" },
              body: JSON.stringify(inputs),
            });
      const items = (await res.json()) as { error?: { data: { httpStatus: number } } }[];
      return items[1]?.error?.data.httpStatus ?? 200;
    }
    if (op.kind === "query") {
      const url = op.voidInput
        ? `/trpc/${op.proc}`
        : `/trpc/${op.proc}?input=${encodeURIComponent(JSON.stringify(input))}`;
      return (await h.app.request(url, { headers })).status;
    }
    return (
      await h.app.request(`/trpc/${op.proc}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        ...(op.voidInput ? {} : { body: JSON.stringify(input) }),
      })
    ).status;
  }

  const callers: Caller[] = ["anonymous", "intern", "admin", "internKey"];
  const doors: Door[] = ["rest", "trpc", "batch"];

  for (const op of ops) {
    it(op.name, async () => {
      const mismatches: string[] = [];
      for (const door of doors) {
        for (const caller of callers) {
          const token =
            caller === "anonymous"
              ? null
              : caller === "admin"
                ? h.admin.access
                : caller === "internKey"
                  ? internKey
                  : intern.access;
          const kinds: Target[] = op.onTask ? ["own", "assigned", "foreign"] : ["own"];
          for (const kind of kinds) {
            const targets = op.onTask ? await freshTargets() : null;
            const id = targets ? targets[kind] : op.path.length ? intern.id : "";
            const before = targets
              ? (await h.rest("GET", `/api/tasks/${id}`, { token: h.admin.access })).body
              : null;
            const input = op.input(id, { intern, other, admin: h.admin, ...keys });
            const status = await call(door, op, token, input, id);
            const wanted = op.expect[caller === "internKey" ? "intern" : caller];
            // tRPC answers every success with 200; the REST door uses 201 and 204 where API.md says so.
            const expected = typeof wanted === "number" ? wanted : wanted[kind];
            const expectedOnDoor = door !== "rest" && expected < 300 ? 200 : expected;
            if (status !== expectedOnDoor) {
              mismatches.push(
                `${door} ${caller} on ${op.onTask ? kind : "-"}: ${status}, expected ${expectedOnDoor}`,
              );
            }
            if (targets && expected >= 400) {
              const after = (await h.rest("GET", `/api/tasks/${id}`, { token: h.admin.access })).body;
              if (JSON.stringify(after) !== JSON.stringify(before)) {
                mismatches.push(`${door} ${caller} on ${kind}: refused, yet the task changed`);
              }
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("lists every procedure of the router", async () => {
    const { appRouter } = await import("../src/router");
    const all = Object.keys((appRouter as unknown as { _def: { procedures: object } })._def.procedures);
    // Streams never end, which this table's calls wait for: events.subscribe's rights are in events.test.ts.
    const covered = new Set([
      ...ops.map((o) => o.proc),
      "auth.login",
      "auth.refresh",
      "auth.logout",
      "events.subscribe",
    ]);
    expect(all.filter((p) => !covered.has(p))).toEqual([]);
  });

  it("an intern's lists hold only what they may see", async () => {
    const targets = await freshTargets();
    const list = await h.rest("GET", "/api/tasks?pageSize=100", { token: intern.access });
    const ids = list.body.results.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining([targets.own, targets.assigned]));
    expect(ids).not.toContain(targets.foreign);
    const logs = await h.rest("GET", "/api/tasks/logs?pageSize=100", { token: intern.access });
    expect(logs.body.results.map((e: { taskId: string }) => e.taskId)).not.toContain(targets.foreign);
  });
});

import { type TaskRow, tasks } from "@taskmgr/db";
import type { Task, TaskPriority, TaskStatus } from "@taskmgr/db/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// A seeded generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STATUSES: TaskStatus[] = ["PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE"];
const PRIORITIES: TaskPriority[] = ["LOW", "MEDIUM", "HIGH"];
const RANK = { LOW: 0, MEDIUM: 1, HIGH: 2, PENDING: 0, IN_PROGRESS: 1, COMPLETED: 2, OVERDUE: 3 } as const;

type Key = { field: keyof Task; desc: boolean };

/** The reference: what API.md says a list returns, computed in plain TypeScript. */
function reference(all: Task[], filter: (t: Task) => boolean, ordering: string): Task[] {
  const keys: Key[] = ordering
    .split(",")
    .map((k) => ({ field: k.replace(/^-/, "") as keyof Task, desc: k.startsWith("-") }));
  const cmp = (a: Task, b: Task): number => {
    for (const { field, desc } of keys) {
      const x = a[field];
      const y = b[field];
      if (field === "dueDate" && (x === null || y === null)) {
        if (x === y) continue;
        return x === null ? 1 : -1; // nulls last, either direction
      }
      let c: number;
      if (field === "priority" || field === "status")
        c = RANK[x as keyof typeof RANK] - RANK[y as keyof typeof RANK];
      else c = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (c !== 0) return desc ? -c : c;
    }
    const c = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return keys.at(-1)?.desc ? -c : c;
  };
  return all.filter(filter).sort(cmp);
}

describe("task listing against a reference, on 1,000 generated tasks", () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;
  let all: Task[];
  const seed = Number(process.env.LIST_SEED ?? 20261124);

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.makeUser("INTERN");
    bob = await h.makeUser("INTERN");
    const people = [h.admin.id, alice.id, bob.id];
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const letters = "abcdefghij";
    const word = (n: number) => Array.from({ length: n }, () => pick([...letters])).join("");
    const base = Date.parse("2026-01-01T00:00:00.000Z");
    const rows: (typeof tasks.$inferInsert)[] = Array.from({ length: 1000 }, (_, i) => {
      const createdAt = new Date(base + Math.floor(rand() * 300) * 86_400_000 + (i % 7) * 1000);
      return {
        title: word(2 + Math.floor(rand() * 4)),
        description: rand() < 0.05 ? "50%_off deal" : word(6),
        status: pick(STATUSES),
        priority: pick(PRIORITIES),
        dueDate: rand() < 0.2 ? null : new Date(base + Math.floor(rand() * 400) * 86_400_000),
        assigneeId: rand() < 0.15 ? null : pick(people),
        createdById: pick(people),
        createdAt,
        updatedAt: new Date(createdAt.getTime() + Math.floor(rand() * 10) * 3_600_000),
      };
    });
    for (let i = 0; i < rows.length; i += 250)
      await h.database.db.insert(tasks).values(rows.slice(i, i + 250));
    const res = await h.services.taskQueries.list(
      { id: h.admin.id, role: "ADMIN", username: "admin" },
      { ordering: [{ field: "createdAt", desc: true }], pageSize: 100, page: 1 },
    );
    expect(res.count).toBe(1000);
    all = (await h.database.db.select().from(tasks)).map((r: TaskRow) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      status: r.status,
      priority: r.priority,
      dueDate: r.dueDate?.toISOString() ?? null,
      assigneeId: r.assigneeId,
      createdById: r.createdById,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
      version: r.version,
    }));
  }, 120_000);
  afterAll(() => h?.close());

  const filters: Array<
    [
      string,
      (ids: { alice: string; bob: string }) => string,
      (t: Task, ids: { alice: string; bob: string }) => boolean,
    ]
  > = [
    ["no filter", () => "", () => true],
    ["status list", () => "status=PENDING,OVERDUE", (t) => t.status === "PENDING" || t.status === "OVERDUE"],
    ["priority", () => "priority=HIGH", (t) => t.priority === "HIGH"],
    ["assignee", (ids) => `assigneeId=${ids.alice}`, (t, ids) => t.assigneeId === ids.alice],
    [
      "creator + status",
      (ids) => `createdById=${ids.bob}&status=COMPLETED`,
      (t, ids) => t.createdById === ids.bob && t.status === "COMPLETED",
    ],
    [
      "due window",
      () => "dueAfter=2026-03-01&dueBefore=2026-09-01T00:00:00Z",
      (t) =>
        t.dueDate !== null &&
        t.dueDate > "2026-03-01T23:59:59.999Z" &&
        t.dueDate < "2026-09-01T00:00:00.000Z",
    ],
    ["search", () => "search=AB", (t) => t.title.includes("ab") || t.description.includes("ab")],
    [
      "search with % and _",
      () => "search=%25_",
      (t) => t.title.includes("%_") || t.description.includes("%_"),
    ],
  ];
  /** Every id of a list, page after page by cursor. */
  async function walk(token: string, query: string, pageSize: number) {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q = [query, `pageSize=${pageSize}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : ""]
        .filter(Boolean)
        .join("&");
      const res = await h.rest("GET", `/api/tasks?${q}`, { token });
      expect(res.status, q).toBe(200);
      ids.push(...res.body.results.map((t: Task) => t.id));
      cursor = res.body.nextCursor;
      pages++;
      expect(pages).toBeLessThan(500);
    } while (cursor);
    return ids;
  }

  const orderings = [
    "-createdAt",
    "dueDate",
    "-dueDate",
    "priority,-dueDate",
    "-priority,title",
    "status,-updatedAt",
    "title",
    "dueDate,-priority",
    "-dueDate,title",
    "createdAt,-title",
  ];
  const pageSizes = [7, 50];

  it("matches the reference for every filter × ordering × page", async () => {
    let checked = 0;
    const ids = { alice: alice.id, bob: bob.id };
    for (const [name, query, predicate] of filters) {
      for (const ordering of orderings) {
        const expected = reference(all, (t) => predicate(t, ids), ordering);
        for (const pageSize of pageSizes) {
          const totalPages = Math.ceil(expected.length / pageSize);
          for (const page of [...new Set([1, 2, totalPages, totalPages + 1])].filter((p) => p >= 1)) {
            const q = [query(ids), `ordering=${ordering}`, `pageSize=${pageSize}`, `page=${page}`]
              .filter(Boolean)
              .join("&");
            const res = await h.rest("GET", `/api/tasks?${q}`, { token: h.admin.access });
            const label = `${name} | ${q} | seed ${seed}`;
            expect(res.status, label).toBe(200);
            expect(res.body.count, label).toBe(expected.length);
            expect(res.body.totalPages, label).toBe(totalPages);
            expect(res.body.next, label).toBe(page < totalPages ? page + 1 : null);
            expect(
              res.body.results.map((t: Task) => t.id),
              label,
            ).toEqual(expected.slice((page - 1) * pageSize, page * pageSize).map((t) => t.id));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  }, 120_000);

  it("an intern's list is the reference restricted to their tasks, and pages never overlap", async () => {
    const expected = reference(
      all,
      (t) => t.assigneeId === alice.id || t.createdById === alice.id,
      "priority,dueDate",
    );
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await h.rest("GET", `/api/tasks?ordering=priority,dueDate&pageSize=40&page=${page}`, {
        token: alice.access,
      });
      expect(res.body.count).toBe(expected.length);
      if (res.body.results.length === 0) break;
      seen.push(...res.body.results.map((t: Task) => t.id));
    }
    expect(seen).toEqual(expected.map((t) => t.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("an intern's list by created date matches the reference, by page and by cursor", async () => {
    const ids = { alice: alice.id, bob: bob.id };
    const mine = (t: Task) => t.assigneeId === alice.id || t.createdById === alice.id;
    let checked = 0;
    for (const [name, query, predicate] of filters) {
      for (const ordering of ["-createdAt", "createdAt", "createdAt,title"]) {
        const expected = reference(all, (t) => mine(t) && predicate(t, ids), ordering).map((t) => t.id);
        const base = [query(ids), `ordering=${ordering}`].filter(Boolean).join("&");
        for (const page of [1, 2, 5]) {
          const res = await h.rest("GET", `/api/tasks?${base}&pageSize=7&page=${page}`, {
            token: alice.access,
          });
          expect(res.status).toBe(200);
          expect(res.body.count, `${name} | ${ordering}`).toBe(expected.length);
          expect(
            res.body.results.map((t: Task) => t.id),
            `${name} | ${ordering} | page ${page}`,
          ).toEqual(expected.slice((page - 1) * 7, page * 7));
          checked++;
        }
        expect(await walk(alice.access, base, 11), `${name} | ${ordering} by cursor`).toEqual(expected);
      }
    }
    expect(checked).toBeGreaterThan(50);
  }, 120_000);

  it("the tRPC door takes arrays for lists and returns the same page", async () => {
    const viaTrpc = await h
      .trpc(h.admin)
      .tasks.list.query({ status: ["PENDING", "OVERDUE"], ordering: "-priority,title", pageSize: 20 });
    const viaRest = await h.rest(
      "GET",
      "/api/tasks?status=PENDING,OVERDUE&ordering=-priority,title&pageSize=20",
      { token: h.admin.access },
    );
    expect(viaTrpc).toEqual(viaRest.body);
  });

  describe("cursor paging", () => {
    it("walking by cursor yields every task once, in order, for every ordering and filter", async () => {
      const ids = { alice: alice.id, bob: bob.id };
      for (const [name, query, predicate] of filters) {
        for (const ordering of orderings) {
          const expected = reference(all, (t) => predicate(t, ids), ordering).map((t) => t.id);
          const got = await walk(
            h.admin.access,
            [query(ids), `ordering=${ordering}`].filter(Boolean).join("&"),
            45,
          );
          expect(got, `${name} | ${ordering}`).toEqual(expected);
        }
      }
    }, 120_000);

    it("a cursor page reports its page number, and the last page has no next cursor", async () => {
      let cursor: string | null = null;
      for (let page = 1; page <= 10; page++) {
        const res = await h.rest(
          "GET",
          `/api/tasks?ordering=title&pageSize=100${cursor ? `&cursor=${cursor}` : ""}`,
          {
            token: h.admin.access,
          },
        );
        expect(res.body).toMatchObject({
          page,
          count: 1000,
          totalPages: 10,
          previous: page > 1 ? page - 1 : null,
        });
        expect(res.body.next).toBe(page < 10 ? page + 1 : null);
        expect(res.body.results).toHaveLength(100);
        cursor = res.body.nextCursor;
        expect(cursor === null).toBe(page === 10);
      }
    });

    it("an intern's walk covers exactly their tasks", async () => {
      const expected = reference(
        all,
        (t) => t.assigneeId === alice.id || t.createdById === alice.id,
        "-priority,dueDate",
      ).map((t) => t.id);
      expect(await walk(alice.access, "ordering=-priority,dueDate", 30)).toEqual(expected);
    });

    it("refuses a tampered cursor, a cursor of another query or user, and cursor with page (400, naming cursor)", async () => {
      const page = await h.rest("GET", "/api/tasks?status=PENDING&pageSize=10", { token: h.admin.access });
      const cursor: string = page.body.nextCursor;
      const [body, sig] = cursor.split(".");
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), p: 40 }),
      ).toString("base64url");
      for (const [label, query, token] of [
        ["tampered", `status=PENDING&pageSize=10&cursor=${forged}.${sig}`, h.admin.access],
        ["garbage", "status=PENDING&pageSize=10&cursor=abc.def", h.admin.access],
        ["other filters", `status=COMPLETED&pageSize=10&cursor=${cursor}`, h.admin.access],
        ["other page size", `status=PENDING&pageSize=11&cursor=${cursor}`, h.admin.access],
        ["other user", `status=PENDING&pageSize=10&cursor=${cursor}`, alice.access],
        ["with page", `status=PENDING&pageSize=10&page=2&cursor=${cursor}`, h.admin.access],
      ] as const) {
        const res = await h.rest("GET", `/api/tasks?${query}`, { token });
        expect(res.status, label).toBe(400);
        expect(res.body.message, label).toMatch(/cursor/);
      }
    });
  });

  it("walks by cursor while tasks are being inserted: every task that existed is seen exactly once", async () => {
    for (const ordering of [
      "-createdAt",
      "title",
      "priority,-dueDate",
      "dueDate",
      "-dueDate",
      "-dueDate,title",
    ]) {
      const before = new Set((await h.database.db.select({ id: tasks.id }).from(tasks)).map((r) => r.id));
      const seen: string[] = [];
      let cursor: string | null = null;
      let n = 0;
      do {
        const res = await h.rest(
          "GET",
          `/api/tasks?ordering=${ordering}&pageSize=97${cursor ? `&cursor=${cursor}` : ""}`,
          {
            token: h.admin.access,
          },
        );
        seen.push(...res.body.results.map((t: Task) => t.id));
        cursor = res.body.nextCursor;
        // Insert between pages, at both ends of every ordering.
        await h.database.db.insert(tasks).values([
          {
            title: `aaa-${ordering}-${n}`,
            priority: "LOW",
            createdById: h.admin.id,
            createdAt: new Date("2020-01-01"),
            dueDate: new Date("2020-01-01"),
          },
          { title: `zzz-${ordering}-${n}`, priority: "HIGH", createdById: h.admin.id, dueDate: null },
        ]);
        n++;
        expect(n, `${ordering}: the walk does not end`).toBeLessThan(100);
      } while (cursor);
      expect(new Set(seen).size, ordering).toBe(seen.length);
      for (const id of before) expect(seen.includes(id), `${ordering}: missed ${id}`).toBe(true);
    }
  }, 120_000);
});

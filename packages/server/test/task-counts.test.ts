import { rowsOf } from "@taskmgr/db";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// Every list count is exact: checked against count(*) after rounds of concurrent creates, deletes, status
// changes, sweeps and raw SQL writes, for each visibility scope and several filters, with the cache in play.
describe("exact task counts", () => {
  let h: Harness;
  let a: TestUser;
  let b: TestUser;
  beforeAll(async () => {
    h = await startHarness();
    a = await h.makeUser("INTERN");
    b = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  const filters = (): { query: string; where: SQL }[] => [
    { query: "", where: sql`true` },
    { query: "status=PENDING", where: sql`status = 'PENDING'` },
    { query: "status=OVERDUE,PENDING", where: sql`status in ('OVERDUE', 'PENDING')` },
    { query: "priority=HIGH", where: sql`priority = 'HIGH'` },
    { query: "status=COMPLETED&priority=LOW", where: sql`status = 'COMPLETED' and priority = 'LOW'` },
    { query: `assigneeId=${a.id}`, where: sql`assignee_id = ${a.id}` },
    { query: "search=alpha", where: sql`(title ilike '%alpha%' or description ilike '%alpha%')` },
  ];

  async function expectExactCounts() {
    const scopes = [
      { user: h.admin, where: sql`true` },
      { user: a, where: sql`(assignee_id = ${a.id} or created_by_id = ${a.id})` },
      { user: b, where: sql`(assignee_id = ${b.id} or created_by_id = ${b.id})` },
    ];
    for (const scope of scopes) {
      for (const f of filters()) {
        const res = await h.rest("GET", `/api/tasks?pageSize=1&${f.query}`, { token: scope.user.access });
        expect(res.status).toBe(200);
        const [row] = rowsOf<{ n: number }>(
          await h.database.db.execute(
            sql`select count(*)::int as n from tasks where ${scope.where} and ${f.where}`,
          ),
        );
        expect(res.body.count, `${scope.user.username} ?${f.query}`).toBe(row!.n);
      }
    }
  }

  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const ids = async () =>
    rowsOf<{ id: string; created_by_id: string }>(
      await h.database.db.execute(sql`select id, created_by_id from tasks`),
    );

  async function round(i: number) {
    const existing = await ids();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const ops: Promise<unknown>[] = [];
    for (let k = 0; k < 8; k++) {
      ops.push(
        h.rest("POST", "/api/tasks", {
          token: h.admin.access,
          body: {
            title: `${k % 2 ? "alpha" : "beta"} ${i}.${k}`,
            priority: pick(["LOW", "MEDIUM", "HIGH"]),
            assigneeId: pick([a.id, b.id, null]),
            dueDate: k % 3 === 0 ? past : null,
          },
        }),
      );
    }
    ops.push(h.rest("POST", "/api/tasks", { token: a.access, body: { title: `alpha by a ${i}` } }));
    for (const t of existing.slice(0, 2)) {
      ops.push(h.rest("DELETE", `/api/tasks/${t.id}`, { token: h.admin.access }));
    }
    for (const t of existing.slice(2, 6)) {
      ops.push(
        h.rest("PATCH", `/api/tasks/${t.id}`, {
          token: h.admin.access,
          body: { status: pick(["IN_PROGRESS", "COMPLETED", "PENDING"]) },
        }),
      );
    }
    ops.push(h.rest("POST", "/api/admin/overdue-sweep", { token: h.admin.access }));
    // A writer that is not the API at all: the count must still follow.
    ops.push(
      h.database.db.execute(
        sql`update tasks set priority = 'HIGH', assignee_id = ${b.id} where id = (select id from tasks order by random() limit 1)`,
      ),
    );
    const results = await Promise.all(ops);
    for (const r of results) {
      if (r && typeof r === "object" && "status" in r)
        expect((r as { status: number }).status).toBeLessThan(400);
    }
  }

  it("stay equal to count(*) through rounds of interleaved writes from several connections", async () => {
    await expectExactCounts();
    for (let i = 0; i < 6; i++) {
      await round(i);
      await expectExactCounts();
      await expectExactCounts(); // now from the cache
    }
    const [cached] = rowsOf<{ n: number }>(
      await h.database.db.execute(
        sql`select count(*)::int as n from task_count_cache
            where version = (select sum(n) from task_write_versions)`,
      ),
    );
    expect(cached!.n).toBeGreaterThan(0);
  });

  it("are served from the cache while nothing changed, and recounted after any committed write", async () => {
    const before = (await h.rest("GET", "/api/tasks?pageSize=1", { token: h.admin.access })).body.count;
    // Poison the current entries: a served count of before + 1000 proves the cache answered.
    await h.database.db.execute(
      sql`update task_count_cache set n = n + 1000 where version = (select sum(n) from task_write_versions)`,
    );
    expect((await h.rest("GET", "/api/tasks?pageSize=1", { token: h.admin.access })).body.count).toBe(
      before + 1000,
    );
    // A rolled-back write moves nothing; a committed one invalidates every entry.
    await h.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update tasks set title = title`);
        tx.rollback();
      })
      .catch(() => {});
    expect((await h.rest("GET", "/api/tasks?pageSize=1", { token: h.admin.access })).body.count).toBe(
      before + 1000,
    );
    // Every single committed write moves the version (ten in a row, each checked).
    for (let k = 1; k <= 10; k++) {
      const created = await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        body: { title: `more ${k}` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const count = (await h.rest("GET", "/api/tasks?pageSize=1", { token: h.admin.access })).body.count;
      expect(count).toBe(before + k);
    }
  });
});

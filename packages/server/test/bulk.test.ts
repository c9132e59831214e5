import { activityLog, tasks } from "@taskmgr/db";
import { and, count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type TestUser } from "./support/harness";

describe("bulk changes", () => {
  let h: Harness;
  let intern: TestUser;
  let other: TestUser;

  /** Tasks made straight in the table (fast), with a title that marks the test's own. */
  async function seed(n: number, fields: Partial<typeof tasks.$inferInsert> & { title: string }) {
    const rows = await h.database.db
      .insert(tasks)
      .values(Array.from({ length: n }, () => ({ createdById: h.admin.id, ...fields })))
      .returning({ id: tasks.id });
    return rows.map((r) => r.id);
  }
  const entriesOf = async (ids: string[], action: "UPDATED" | "DELETED") =>
    (
      await h.database.db
        .select({ n: count() })
        .from(activityLog)
        .where(and(inArray(activityLog.taskId, ids), eq(activityLog.action, action)))
    )[0]!.n;

  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
    other = await h.makeUser("INTERN");
  });
  afterAll(() => h?.close());

  it("changes 1,000 tasks named by id in one request, with one entry per changed field per task", async () => {
    const ids = await seed(1000, { title: "bulk a thousand", priority: "LOW" });
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { ids, set: { status: "IN_PROGRESS", priority: "HIGH" } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.updated).toBe(1000);
    expect([...res.body.ids].sort()).toEqual([...ids].sort());
    const rows = await h.database.db.select().from(tasks).where(inArray(tasks.id, ids));
    expect(rows.every((r) => r.status === "IN_PROGRESS" && r.priority === "HIGH" && r.version === 2)).toBe(
      true,
    );
    expect(await entriesOf(ids, "UPDATED")).toBe(2000);
    // Exactly as a single update writes them.
    const single = await h.rest("GET", `/api/tasks/${ids[0]}/logs`, { token: h.admin.access });
    expect(single.body.results.map((e: { field: string }) => e.field).sort()).toEqual(["priority", "status"]);
    const statusEntry = single.body.results.find((e: { field: string }) => e.field === "status");
    expect(statusEntry).toMatchObject({ oldValue: "PENDING", newValue: "IN_PROGRESS", actorId: h.admin.id });
  });

  it("counts and answers only the tasks that changed, and writes nothing for the rest", async () => {
    const [same] = await seed(1, { title: "bulk already high", priority: "HIGH" });
    const [changes] = await seed(1, { title: "bulk low", priority: "LOW" });
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { ids: [same, changes], set: { priority: "HIGH" } },
    });
    expect(res.body).toEqual({ updated: 1, ids: [changes] });
    expect(await entriesOf([same!], "UPDATED")).toBe(0);
  });

  it("follows the single update's rules: an OVERDUE task given a future due date is PENDING again", async () => {
    const ids = await seed(3, { title: "bulk overdue", status: "OVERDUE", dueDate: new Date("2020-01-01") });
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { ids, set: { dueDate: "2099-01-01" } },
    });
    expect(res.body.updated).toBe(3);
    const rows = await h.database.db.select().from(tasks).where(inArray(tasks.id, ids));
    expect(rows.every((r) => r.status === "PENDING")).toBe(true);
    expect(rows[0]!.dueDate!.toISOString()).toBe("2099-01-01T23:59:59.999Z");
  });

  it("an intern's request naming one task they may not change is refused whole, naming it, and changes nothing", async () => {
    const mine = (
      await Promise.all(
        [1, 2].map((i) =>
          h.rest("POST", "/api/tasks", { token: intern.access, body: { title: `bulk mine ${i}` } }),
        ),
      )
    ).map((r) => r.body.id as string);
    // Assigned to the intern by the admin: the intern may change its status, not its priority.
    const assigned = (
      await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        body: { title: "bulk assigned", assigneeId: intern.id },
      })
    ).body.id as string;
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: intern.access,
      body: { ids: [...mine, assigned], set: { priority: "HIGH" } },
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(assigned);
    const rows = await h.database.db
      .select()
      .from(tasks)
      .where(inArray(tasks.id, [...mine, assigned]));
    expect(rows.every((r) => r.priority === "MEDIUM" && r.version === 1)).toBe(true);
    expect(await entriesOf([...mine, assigned], "UPDATED")).toBe(0);

    const status = await h.rest("POST", "/api/tasks/bulk-update", {
      token: intern.access,
      body: { ids: [...mine, assigned], set: { status: "COMPLETED" } },
    });
    expect(status.status).toBe(200);
    expect(status.body.updated).toBe(3);
  });

  it("a task the intern cannot see is not found, by id, and nothing changes", async () => {
    const theirs = (
      await h.rest("POST", "/api/tasks", { token: other.access, body: { title: "bulk someone else's" } })
    ).body.id as string;
    const mine = (
      await h.rest("POST", "/api/tasks", { token: intern.access, body: { title: "bulk my own" } })
    ).body.id as string;
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: intern.access,
      body: { ids: [mine, theirs], set: { status: "IN_PROGRESS" } },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain(theirs);
    const [row] = await h.database.db.select().from(tasks).where(eq(tasks.id, mine));
    expect(row!.status).toBe("PENDING");
  });

  it("a filter over more than 1,000 tasks is refused without confirmCount, and changes nothing", async () => {
    await seed(1001, { title: "bulk by filter", priority: "LOW" });
    const filter = { search: "bulk by filter", priority: ["LOW"] };
    const refused = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { filter, set: { priority: "MEDIUM" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.issues.map((i: { path: string }) => i.path)).toEqual(["confirmCount"]);
    expect(refused.body.message).toMatch(/1001/);
    const wrong = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { filter, confirmCount: 1000, set: { priority: "MEDIUM" } },
    });
    expect(wrong.status).toBe(400);
    const untouched = await h.database.db
      .select({ n: count() })
      .from(tasks)
      .where(and(eq(tasks.title, "bulk by filter"), eq(tasks.priority, "LOW")));
    expect(untouched[0]!.n).toBe(1001);

    const confirmed = await h.rest("POST", "/api/tasks/bulk-update", {
      token: h.admin.access,
      body: { filter, confirmCount: 1001, set: { priority: "MEDIUM" } },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.updated).toBe(1001);
  });

  it("an intern's filter reaches only their own tasks", async () => {
    await h.rest("POST", "/api/tasks", { token: intern.access, body: { title: "bulk filter scope" } });
    await h.rest("POST", "/api/tasks", { token: other.access, body: { title: "bulk filter scope" } });
    const res = await h.rest("POST", "/api/tasks/bulk-update", {
      token: intern.access,
      body: { filter: { search: "bulk filter scope" }, set: { status: "IN_PROGRESS" } },
    });
    expect(res.body.updated).toBe(1);
    const [theirs] = await h.database.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.title, "bulk filter scope"), eq(tasks.createdById, other.id)));
    expect(theirs!.status).toBe("PENDING");
  });

  it("deletes many tasks (admin), each with its DELETED entry; an intern is refused", async () => {
    const ids = await seed(50, { title: "bulk delete me" });
    expect(
      (await h.rest("POST", "/api/tasks/bulk-delete", { token: intern.access, body: { ids } })).status,
    ).toBe(403);
    const res = await h.rest("POST", "/api/tasks/bulk-delete", { token: h.admin.access, body: { ids } });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toBe(50);
    expect((await h.database.db.select().from(tasks).where(inArray(tasks.id, ids))).length).toBe(0);
    expect(await entriesOf(ids, "DELETED")).toBe(50);
  });

  it("names the bad fields of a bulk request", async () => {
    const cases: [unknown, string][] = [
      [{ set: { status: "DONE" }, ids: ["00000000-0000-4000-8000-000000000000"] }, "set.status"],
      [{ set: {}, ids: ["00000000-0000-4000-8000-000000000000"] }, "set"],
      [{ set: { priority: "HIGH" } }, "ids"],
      [{ set: { priority: "HIGH" }, ids: [], filter: {} }, "ids"],
      [{ set: { priority: "HIGH" }, ids: Array.from({ length: 1001 }, () => crypto.randomUUID()) }, "ids"],
      [{ set: { status: "OVERDUE" }, filter: {} }, "set.status"],
      [{ set: { priority: "HIGH" }, filter: { bogus: 1 } }, "filter.bogus"],
    ];
    for (const [body, field] of cases) {
      const res = await h.rest("POST", "/api/tasks/bulk-update", { token: h.admin.access, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });

  it("the tRPC door is the same operation", async () => {
    const ids = await seed(2, { title: "bulk via trpc" });
    const answer = await h.trpc(h.admin).tasks.bulkUpdate.mutate({ ids, set: { priority: "HIGH" } });
    expect(answer.updated).toBe(2);
    const deleted = await h.trpc(h.admin).tasks.bulkDelete.mutate({ ids });
    expect(deleted.deleted).toBe(2);
  });
});

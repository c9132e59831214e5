import { createTestDb } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// The same integrations on the embedded default (PGlite, no Redis): keys, replays and bulk changes use only what
// PGlite has too (advisory locks, jsonb_to_recordset, make_interval), and the rate limit lives in memory.
describe("integrations on the embedded database", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ database: await createTestDb("pglite") });
  });
  afterAll(() => h?.close());

  it("a service account's key creates a task once under a repeated Idempotency-Key, and changes tasks in bulk", async () => {
    const account = await h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username: "embedded-service", kind: "SERVICE", role: "ADMIN" },
    });
    const key = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "embedded", userId: account.body.id },
    });
    const token = key.body.secret as string;
    const create = () =>
      h.rest("POST", "/api/tasks", {
        token,
        body: { title: "embedded once" },
        headers: { "idempotency-key": "embedded-1" },
      });
    const answers = await Promise.all([create(), create(), create()]);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    const later = await create();
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    const list = await h.rest("GET", "/api/tasks?search=embedded%20once", { token });
    expect(list.body.count).toBe(1);
    expect(list.headers.get("ratelimit-policy")).toMatch(/^"service-calls";/);

    const ids = (
      await Promise.all(
        [1, 2, 3].map((i) => h.rest("POST", "/api/tasks", { token, body: { title: `embedded bulk ${i}` } })),
      )
    ).map((r) => r.body.id as string);
    const bulk = await h.rest("POST", "/api/tasks/bulk-update", {
      token,
      body: { ids, set: { priority: "HIGH", dueDate: "2099-01-01" } },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.updated).toBe(3);
    const logs = await h.rest("GET", `/api/tasks/${ids[0]}/logs`, { token });
    expect(logs.body.results.filter((e: { action: string }) => e.action === "UPDATED")).toHaveLength(2);
    const deleted = await h.rest("POST", "/api/tasks/bulk-delete", {
      token,
      body: { filter: { search: "embedded bulk" } },
    });
    expect(deleted.body.deleted).toBe(3);
  });
});

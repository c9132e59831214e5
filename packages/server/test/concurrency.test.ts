import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

describe("concurrent updates of one task", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it("20 concurrent PATCHes lose no change and no log entry", async () => {
    const task = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "hot" } })).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.rest("PATCH", `/api/tasks/${task.id}`, {
          token: h.admin.access,
          body: { description: `edit ${i}` },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = results.map((r) => r.body.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const final = (await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access })).body;
    expect(final.version).toBe(21);

    const log = (
      await h.rest("GET", `/api/tasks/${task.id}/logs?ordering=createdAt&pageSize=100`, {
        token: h.admin.access,
      })
    ).body;
    const updates = log.results.filter((e: { action: string }) => e.action === "UPDATED");
    expect(updates).toHaveLength(20);
    // Serialised: each entry's old value is the previous one's new value, and the last is what the task holds.
    let previous = "";
    for (const entry of updates) {
      expect(entry.oldValue).toBe(previous);
      previous = entry.newValue;
    }
    expect(final.description).toBe(previous);
  });

  it("20 concurrent PATCHes at the same version: exactly one wins, the rest are 409 and change nothing", async () => {
    const task = (await h.rest("POST", "/api/tasks", { token: h.admin.access, body: { title: "cas race" } }))
      .body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.rest("PATCH", `/api/tasks/${task.id}`, {
          token: h.admin.access,
          body: { title: `winner ${i}`, version: 1 },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 200)!.body;
    const final = (await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access })).body;
    expect(final).toMatchObject({ title: winner.title, version: 2 });
    expect((await h.rest("GET", `/api/tasks/${task.id}/logs`, { token: h.admin.access })).body.count).toBe(2);
  });
});

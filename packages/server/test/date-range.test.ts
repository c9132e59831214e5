import { createTestDb, testBackends } from "@taskmgr/db/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/router";
import { type Harness, startHarness } from "./support/harness";

// Dates are accepted from 1000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z: year 0 was a 500 (PostgreSQL
// refuses it) and years 1-99 came back as 19xx/20xx.
const EARLIEST = "1000-01-01T00:00:00.000Z";
const LATEST = "9999-12-31T23:59:59.999Z";

const OUTSIDE = [
  "0000-06-15T12:00:00Z",
  "0000-06-15",
  "0001-06-15T12:00:00Z",
  "0099-12-31",
  "0999-12-31T23:59:59.999Z",
  "1000-01-01T00:30:00+01:00", // 0999-12-31T23:30Z
  "9999-12-31T23:00:00-01:00", // 10000-01-01T00:00Z
];

async function trpcStatus(
  call: Promise<unknown>,
): Promise<{ status: number; message: string; paths: string[] }> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  const data = (err as TRPCClientError<AppRouter>).data as {
    httpStatus: number;
    issues?: { path: string }[];
  };
  return {
    status: data.httpStatus,
    message: (err as Error).message,
    paths: (data.issues ?? []).map((i) => i.path),
  };
}

describe.each(testBackends())("dates at the edges of the accepted range, on %s", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ database: await createTestDb(backend) });
  });
  afterAll(() => h?.close());

  it("a due date at either bound is read back exactly, through REST and tRPC, created and updated", async () => {
    const trpc = h.trpc(h.admin);
    for (const dueDate of [EARLIEST, LATEST]) {
      const created = await h.rest("POST", "/api/tasks", {
        token: h.admin.access,
        body: { title: "edge", dueDate },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.dueDate).toBe(dueDate);
      const read = await h.rest("GET", `/api/tasks/${created.body.id}`, { token: h.admin.access });
      expect(read.body.dueDate).toBe(dueDate);

      const viaTrpc = await trpc.tasks.create.mutate({ title: "edge", dueDate });
      expect(viaTrpc.dueDate).toBe(dueDate);
      expect((await trpc.tasks.get.query({ id: viaTrpc.id })).dueDate).toBe(dueDate);

      const other = dueDate === EARLIEST ? LATEST : EARLIEST;
      const patched = await h.rest("PATCH", `/api/tasks/${created.body.id}`, {
        token: h.admin.access,
        body: { dueDate: other },
      });
      expect(patched.body.dueDate).toBe(other);
      expect((await trpc.tasks.update.mutate({ id: viaTrpc.id, dueDate: other })).dueDate).toBe(other);
      expect((await trpc.tasks.get.query({ id: viaTrpc.id })).dueDate).toBe(other);
    }
  });

  it("the date-only forms of the bounds are accepted", async () => {
    const first = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "first day", dueDate: "1000-01-01" },
    });
    expect(first.body.dueDate).toBe("1000-01-01T23:59:59.999Z");
    const last = await h.rest("POST", "/api/tasks", {
      token: h.admin.access,
      body: { title: "last day", dueDate: "9999-12-31" },
    });
    expect(last.body.dueDate).toBe(LATEST);
  });

  it("list and log filters accept the bounds", async () => {
    const list = await h.rest("GET", `/api/tasks?dueAfter=${EARLIEST}&dueBefore=${LATEST}`, {
      token: h.admin.access,
    });
    expect(list.status).toBe(200);
    const logs = await h.rest("GET", `/api/tasks/logs?since=${EARLIEST}&until=${LATEST}`, {
      token: h.admin.access,
    });
    expect(logs.status).toBe(200);
    expect(logs.body.count).toBeGreaterThan(0);
    const trpc = h.trpc(h.admin);
    expect((await trpc.tasks.list.query({ dueAfter: EARLIEST, dueBefore: LATEST })).count).toBe(
      list.body.count,
    );
    expect((await trpc.tasks.logs.query({ since: EARLIEST, until: LATEST })).count).toBe(logs.body.count);
  });

  it("a date outside the range, year 0 included, is a 400 naming the field through REST", async () => {
    const token = h.admin.access;
    const task = (await h.rest("POST", "/api/tasks", { token, body: { title: "t" } })).body;
    for (const value of OUTSIDE) {
      const q = encodeURIComponent(value);
      const cases = [
        ["dueDate", () => h.rest("POST", "/api/tasks", { token, body: { title: "x", dueDate: value } })],
        ["dueDate", () => h.rest("PATCH", `/api/tasks/${task.id}`, { token, body: { dueDate: value } })],
        ["dueBefore", () => h.rest("GET", `/api/tasks?dueBefore=${q}`, { token })],
        ["dueAfter", () => h.rest("GET", `/api/tasks?dueAfter=${q}`, { token })],
        ["since", () => h.rest("GET", `/api/tasks/logs?since=${q}`, { token })],
        ["until", () => h.rest("GET", `/api/tasks/logs?until=${q}`, { token })],
      ] as const;
      for (const [field, call] of cases) {
        const res = await call();
        expect(res.status, `${field}=${value}`).toBe(400);
        expect(res.body.message, `${field}=${value}`).toContain(field);
        expect(res.body.message, `${field}=${value}`).toContain(EARLIEST);
        expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual([field]);
      }
    }
    // Nothing was changed by the refused update.
    expect((await h.rest("GET", `/api/tasks/${task.id}`, { token: h.admin.access })).body.version).toBe(1);
  });

  it("a date outside the range, year 0 included, is a 400 naming the field through tRPC", async () => {
    const trpc = h.trpc(h.admin);
    const task = await trpc.tasks.create.mutate({ title: "t" });
    for (const value of OUTSIDE) {
      const cases = [
        ["dueDate", () => trpc.tasks.create.mutate({ title: "x", dueDate: value })],
        ["dueDate", () => trpc.tasks.update.mutate({ id: task.id, dueDate: value })],
        ["dueBefore", () => trpc.tasks.list.query({ dueBefore: value })],
        ["dueAfter", () => trpc.tasks.list.query({ dueAfter: value })],
        ["since", () => trpc.tasks.logs.query({ since: value })],
        ["until", () => trpc.tasks.logs.query({ until: value })],
      ] as const;
      for (const [field, call] of cases) {
        const res = await trpcStatus(call());
        expect(res.status, `${field}=${value}`).toBe(400);
        expect(res.message, `${field}=${value}`).toContain(field);
        expect(res.paths).toEqual([field]);
      }
    }
  });
});

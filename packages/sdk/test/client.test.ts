import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Harness, startHarness } from "@taskmgr/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, TaskManagerError, type Tokens } from "../src";

describe("the SDK against a live server", () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  const refreshCalls: string[] = [];
  const countingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith("/api/auth/refresh")) refreshCalls.push(url);
    return fetch(input, init);
  };

  beforeAll(async () => {
    h = await startHarness({ config: { ACCESS_TOKEN_TTL: "2" } });
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it("splits more calls made together than the server takes in one batch into several requests", async () => {
    const batches: number[] = [];
    const client = createClient({
      baseUrl,
      fetch: async (input, init) => {
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        if (url.includes("batch=1")) batches.push(new URL(url).pathname.split(",").length);
        return fetch(input, init);
      },
    });
    await client.login(h.admin.username, h.admin.password);
    const answers = await Promise.all(Array.from({ length: 25 }, () => client.auth.me.query()));
    expect(answers.every((me) => me.username === h.admin.username)).toBe(true);
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    // At least three requests (a request retried after a refresh, with this server's 2 s tokens, counts again).
    expect(batches.length).toBeGreaterThanOrEqual(3);
  });

  it("logs in, creates, lists with filters and paging, updates, reads the log, deletes", async () => {
    const seen: (Tokens | null)[] = [];
    const client = createClient({ baseUrl, onTokens: (t) => seen.push(t) });
    await client.login(h.admin.username, h.admin.password);
    expect(client.tokens?.access).toBeTruthy();
    expect(seen).toHaveLength(1);

    const created = await Promise.all(
      ["alpha", "beta", "gamma"].map((title, i) =>
        client.tasks.create.mutate({
          title: `sdk ${title}`,
          priority: i === 0 ? "HIGH" : "LOW",
          dueDate: `2030-01-0${i + 1}`,
        }),
      ),
    );
    const page = await client.tasks.list.query({
      priority: ["LOW"],
      search: "sdk",
      ordering: "dueDate",
      pageSize: 1,
      page: 2,
    });
    expect(page).toMatchObject({ count: 2, page: 2, totalPages: 2, next: null, previous: 1 });
    expect(page.results[0]!.title).toBe("sdk gamma");

    const updated = await client.tasks.update.mutate({
      id: created[0]!.id,
      status: "IN_PROGRESS",
      version: 1,
    });
    expect(updated).toMatchObject({ status: "IN_PROGRESS", version: 2 });
    const history = await client.tasks.logsOf.query({ id: created[0]!.id });
    expect(history.results.map((e) => e.action)).toEqual(["UPDATED", "CREATED"]);
    const log = await client.tasks.logs.query({ taskId: created[0]!.id, action: ["UPDATED"] });
    expect(log.results[0]).toMatchObject({ field: "status", oldValue: "PENDING", newValue: "IN_PROGRESS" });

    await client.tasks.delete.mutate({ id: created[2]!.id });
    await expect(client.tasks.get.query({ id: created[2]!.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
      status: 404,
    });

    await client.logout();
    expect(client.tokens).toBeNull();
    expect(seen.at(-1)).toBeNull();
  });

  it("iterates over every matching task across pages", async () => {
    const client = createClient({ baseUrl });
    await client.login(h.admin.username, h.admin.password);
    const made = [];
    for (let i = 0; i < 25; i++)
      made.push(await client.tasks.create.mutate({ title: `iter ${String(i).padStart(2, "0")}` }));
    const seen: string[] = [];
    for await (const task of client.tasks.iterate({ search: "iter ", ordering: "title", pageSize: 7 }))
      seen.push(task.title);
    expect(seen).toEqual(made.map((t) => t.title));
  });

  it("surfaces a stale version as a CONFLICT TaskManagerError, and bad input with its fields", async () => {
    const client = createClient({ baseUrl });
    await client.login(h.admin.username, h.admin.password);
    const task = await client.tasks.create.mutate({ title: "contested" });
    await client.tasks.update.mutate({ id: task.id, title: "first", version: 1 });
    const stale = await client.tasks.update
      .mutate({ id: task.id, title: "second", version: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(TaskManagerError);
    expect(stale).toMatchObject({ code: "CONFLICT", status: 409 });

    const bad = await client.tasks.create.mutate({ title: "", priority: "LOW" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TaskManagerError);
    expect((bad as TaskManagerError).status).toBe(400);
    expect((bad as TaskManagerError).issues.map((i) => i.path)).toEqual(["title"]);
  });

  it("refreshes an expired access token once for five concurrent requests, then retries them", async () => {
    const tokens: (Tokens | null)[] = [];
    const client = createClient({
      baseUrl,
      fetch: countingFetch,
      batch: false,
      onTokens: (t) => tokens.push(t),
    });
    await client.login(h.admin.username, h.admin.password);
    const before = client.tokens!;
    await new Promise((r) => setTimeout(r, 3100)); // ACCESS_TOKEN_TTL is 2 s
    refreshCalls.length = 0;
    const results = await Promise.all(Array.from({ length: 5 }, () => client.auth.me.query()));
    expect(results.every((me) => me.id === h.admin.id)).toBe(true);
    expect(refreshCalls).toHaveLength(1);
    expect(client.tokens!.refresh).not.toBe(before.refresh);
    expect(tokens.at(-1)).toEqual(client.tokens);
  });

  it("when the refresh is refused, fails with UNAUTHORIZED and reports the end of the session", async () => {
    const tokens: (Tokens | null)[] = [];
    const client = createClient({ baseUrl, batch: true, onTokens: (t) => tokens.push(t) });
    const pair = await client.login(h.admin.username, h.admin.password);
    // Spend the refresh token elsewhere, then replay it: the family is revoked.
    await fetch(`${baseUrl}/api/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh: pair.refresh }),
    });
    await new Promise((r) => setTimeout(r, 3100));
    const err = await client.auth.me.query().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskManagerError);
    expect((err as TaskManagerError).code).toBe("UNAUTHORIZED");
    expect(tokens.at(-1)).toBeNull();
    expect(client.tokens).toBeNull();
  });
});

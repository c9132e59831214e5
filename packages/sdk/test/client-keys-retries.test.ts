import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Harness, startHarness } from "@taskmgr/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, TaskManagerError } from "../src";

describe("the SDK for services: API keys and safe retries", () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    h = await startHarness();
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const account = await h.rest("POST", "/api/users", {
      token: h.admin.access,
      body: { username: "sdk-service", kind: "SERVICE", role: "ADMIN" },
    });
    const key = await h.rest("POST", "/api/api-keys", {
      token: h.admin.access,
      body: { name: "sdk", userId: account.body.id },
    });
    apiKey = key.body.secret;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it("createClient({ baseUrl, apiKey }) acts as the key's user, with no login", async () => {
    const client = createClient({ baseUrl, apiKey });
    expect(await client.auth.me.query()).toMatchObject({ username: "sdk-service", kind: "SERVICE" });
    const task = await client.tasks.create.mutate({ title: "from the sdk's key" });
    expect(task.createdById).toBe((await client.auth.me.query()).id);
    const revoked = createClient({ baseUrl, apiKey: `tm_${"x".repeat(40)}` });
    await expect(revoked.auth.me.query()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("sends an Idempotency-Key with every mutation, one per call", async () => {
    const keys: (string | null)[] = [];
    const client = createClient({
      baseUrl,
      apiKey,
      fetch: async (input, init) => {
        if (init?.method === "POST") keys.push(new Headers(init.headers).get("idempotency-key"));
        return fetch(input, init);
      },
    });
    await Promise.all([1, 2, 3].map((i) => client.tasks.create.mutate({ title: `keyed ${i}` })));
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => k && /^[0-9a-f-]{36}$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(3);
  });

  it("a create whose answer was lost is sent again with its key, and makes one task", async () => {
    let dropped = 0;
    const sent: string[] = [];
    const client = createClient({
      baseUrl,
      apiKey,
      // The request reaches the server and is answered, but the answer never arrives: a timeout, say.
      fetch: async (input, init) => {
        if (init?.method === "POST") sent.push(new Headers(init.headers).get("idempotency-key") ?? "");
        const res = await fetch(input, init);
        if (init?.method === "POST" && dropped === 0) {
          dropped += 1;
          await res.arrayBuffer();
          throw new TypeError("fetch failed");
        }
        return res;
      },
    });
    const task = await client.tasks.create.mutate({ title: "lost answer" });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    const all = await createClient({ baseUrl, apiKey }).tasks.list.query({ search: "lost answer" });
    expect(all.count).toBe(1);
    expect(all.results[0]!.id).toBe(task.id);
  }, 20_000);

  it("gives up after its retries with NETWORK_ERROR when the server stays unreachable", async () => {
    let attempts = 0;
    const client = createClient({
      baseUrl,
      apiKey,
      retries: 1,
      fetch: async () => {
        attempts += 1;
        throw new TypeError("fetch failed");
      },
    });
    const err = await client.tasks.create.mutate({ title: "never sent" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskManagerError);
    expect(err).toMatchObject({ code: "NETWORK_ERROR" });
    expect(attempts).toBe(2);
  }, 20_000);
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type PrivatePostgres, privatePostgresAvailable } from "@taskmgr/db/testing/private-postgres";
import { type Harness, startHarnessOnPrivatePostgres } from "@taskmgr/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, TaskManagerError } from "../src";

// A real outage: the server's own PostgreSQL stopped, then started again while the SDK is retrying.
const skip = !privatePostgresAvailable() && !process.env.CI;

describe.skipIf(skip)("the SDK while the server's database restarts", () => {
  let pg: PrivatePostgres;
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let close = async () => {};
  beforeAll(async () => {
    ({ pg, h, close } = await startHarnessOnPrivatePostgres({ poolSize: 2 }));
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await close();
  });

  it("retries a query answered 503 until the database is back; a mutation fails with 503 once its retries are spent", async () => {
    const client = createClient({ baseUrl });
    await client.login(h.admin.username, h.admin.password);
    await client.tasks.create.mutate({ title: "before the outage" });

    pg.stop();
    const write = await client.tasks.create.mutate({ title: "during the outage" }).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(TaskManagerError);
    expect(write).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });

    const noRetry = createClient({ baseUrl, retries: 0, tokens: client.tokens });
    await expect(noRetry.tasks.list.query({})).rejects.toMatchObject({ status: 503 });

    // The first attempt meets no database; PostgreSQL is back before the retry 1 s later.
    const started = Date.now();
    const read = client.tasks.list.query({});
    setTimeout(() => pg.start(), 300);
    const page = await read;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(page.count).toBe(1);
    expect(page.results.map((t) => t.title)).toEqual(["before the outage"]);
  }, 60_000);
});

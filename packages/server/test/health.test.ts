import { createTestDb, type TestDatabase } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { testConfig, testLogger } from "./support/config";

const sweeper = { runNow: async () => ({ markedOverdue: 0 }) };

describe("health", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDb();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("says ok on /healthz and /readyz with an X-Request-Id", async () => {
    const app = createApp({ config: testConfig(), database, logger: testLogger(), sweeper });
    const health = await app.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(health.headers.get("x-request-id")).toBeTruthy();
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
  });

  it("says 503 on /readyz when the database does not answer", async () => {
    const broken = { ...database, ping: () => Promise.reject(new Error("connection refused")) };
    const app = createApp({ config: testConfig(), database: broken, logger: testLogger(), sweeper });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.database).toMatch(/unavailable/);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const app = createApp({ config: testConfig(), database, logger: testLogger(), sweeper });
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NOT_FOUND" });
  });
});

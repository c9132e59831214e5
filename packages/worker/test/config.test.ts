import { describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../src/config";

describe("the worker's configuration", () => {
  // With one connection the migration waited forever for a second one, the first holding its lock.
  it("refuses DB_POOL_SIZE=1, saying why, and takes 2", () => {
    expect(() => loadWorkerConfig({ DB_POOL_SIZE: "1" })).toThrow(/DB_POOL_SIZE: must be at least 2/);
    expect(loadWorkerConfig({ DB_POOL_SIZE: "2" }).DB_POOL_SIZE).toBe(2);
  });

  it("reads the shared variables as the server does: OVERDUE_SWEEP_BATCH_SIZE defaults to 5000, and nonsense is named", () => {
    expect(loadWorkerConfig({}).OVERDUE_SWEEP_BATCH_SIZE).toBe(5000);
    expect(loadWorkerConfig({ OVERDUE_SWEEP_BATCH_SIZE: "250" }).OVERDUE_SWEEP_BATCH_SIZE).toBe(250);
    for (const bad of ["0", "-5", "2.5", "lots", "1000000"]) {
      expect(() => loadWorkerConfig({ OVERDUE_SWEEP_BATCH_SIZE: bad })).toThrow(/OVERDUE_SWEEP_BATCH_SIZE: /);
    }
    // every problem at once
    expect(() => loadWorkerConfig({ OVERDUE_SWEEP_BATCH_SIZE: "0", REDIS_URL: "http://x" })).toThrow(
      /OVERDUE_SWEEP_BATCH_SIZE[\s\S]*REDIS_URL|REDIS_URL[\s\S]*OVERDUE_SWEEP_BATCH_SIZE/,
    );
  });
});

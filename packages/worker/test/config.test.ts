import { describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../src/config";

describe("the worker's configuration", () => {
  // With one connection the migration waited forever for a second one, the first holding its lock.
  it("refuses DB_POOL_SIZE=1, saying why, and takes 2", () => {
    expect(() => loadWorkerConfig({ DB_POOL_SIZE: "1" })).toThrow(/DB_POOL_SIZE: must be at least 2/);
    expect(loadWorkerConfig({ DB_POOL_SIZE: "2" }).DB_POOL_SIZE).toBe(2);
  });
});

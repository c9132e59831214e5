import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

describe("configuration", () => {
  // With one connection the migration waited forever for a second one, the first holding its lock.
  it("refuses DB_POOL_SIZE=1, saying why", () => {
    expect(() => loadConfig({ DB_POOL_SIZE: "1" })).toThrow(ConfigError);
    expect(() => loadConfig({ DB_POOL_SIZE: "1" })).toThrow(/DB_POOL_SIZE: must be at least 2/);
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

describe("configuration", () => {
  // With one connection the migration waited forever for a second one, the first holding its lock.
  it("refuses DB_POOL_SIZE=1, saying why", () => {
    expect(() => loadConfig({ DB_POOL_SIZE: "1" })).toThrow(ConfigError);
    expect(() => loadConfig({ DB_POOL_SIZE: "1" })).toThrow(/DB_POOL_SIZE: must be at least 2/);
  });

  it("trusts no proxy by default; TRUST_PROXY takes a hop count or addresses and CIDRs", () => {
    const env = { JWT_SECRET: "s".repeat(32) };
    expect(loadConfig(env).TRUST_PROXY).toEqual({ hops: 0 });
    expect(loadConfig({ ...env, TRUST_PROXY: "2" }).TRUST_PROXY).toEqual({ hops: 2 });
    expect(loadConfig({ ...env, TRUST_PROXY: "10.0.0.0/8, fd00::/8, 192.0.2.7" }).TRUST_PROXY).toMatchObject({
      cidrs: ["10.0.0.0/8", "fd00::/8", "192.0.2.7/32"],
    });
  });

  it("refuses to start on a TRUST_PROXY entry that is no address or CIDR, listing each", () => {
    let error: unknown;
    try {
      loadConfig({ JWT_SECRET: "s".repeat(32), TRUST_PROXY: "10.0.0.0/8, 10.0.0.0/33, proxy.local" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^TRUST_PROXY: "10\.0\.0\.0\/33" is not/),
      expect.stringMatching(/^TRUST_PROXY: "proxy\.local" is not/),
    ]);
  });

  it("takes OVERDUE_SWEEP_BATCH_SIZE (default 5000) and names it when it is no positive whole number", () => {
    expect(loadConfig({}).OVERDUE_SWEEP_BATCH_SIZE).toBe(5000);
    expect(loadConfig({ OVERDUE_SWEEP_BATCH_SIZE: "100" }).OVERDUE_SWEEP_BATCH_SIZE).toBe(100);
    expect(() => loadConfig({ OVERDUE_SWEEP_BATCH_SIZE: "0" })).toThrow(/OVERDUE_SWEEP_BATCH_SIZE: /);
  });
});

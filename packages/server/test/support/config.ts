import { randomBytes } from "node:crypto";
import { type Config, loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "silent",
    RUN_WORKER: "false",
    // Tests act as a few users making many calls, often concurrently on purpose; the limits' own tests set
    // them low again.
    RATE_LIMIT_CALLS: "1000000",
    RATE_LIMIT_DELAY_MS: "0",
    MAX_CONCURRENT_CALLS: "64",
    MAX_QUEUED_CALLS: "10000",
    HASH_MAX_QUEUED: "10000",
    ...overrides,
  });
}

export function testLogger() {
  return createLogger(process.env.TEST_LOG_LEVEL ?? "silent", false);
}

import { randomBytes } from "node:crypto";
import { type Config, loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "silent",
    RUN_WORKER: "false",
    ...overrides,
  });
}

export function testLogger() {
  return createLogger(process.env.TEST_LOG_LEVEL ?? "silent", false);
}

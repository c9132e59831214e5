import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, envFlag, envPoolSize, parseEnv, sharedEnv } from "@taskmgr/db";
import { z } from "zod";
import { parseTrustProxy } from "./http/client-address";

/** "15m", "7d", "30s", "2h" or a number of seconds. A regex is all this needs; no library. */
const Duration = z
  .string()
  .regex(/^\d+[smhd]?$/, 'expected a duration such as "900", "15m", "12h" or "7d"')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = v.at(-1);
    const factor = unit === "m" ? 60 : unit === "h" ? 3600 : unit === "d" ? 86400 : 1;
    return n * factor;
  })
  .refine((seconds) => seconds > 0, "must be longer than zero");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  ...sharedEnv,
  DB_POOL_SIZE: envPoolSize(10, 200),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ACCESS_TOKEN_TTL: Duration.default(15 * 60),
  REFRESH_TOKEN_TTL: Duration.default(7 * 86400),
  /** false on servers whose sweep runs in a separate worker process. */
  RUN_WORKER: envFlag(true),
  /** Rows the task count cache may hold (one per distinct visibility scope and filter), and how often the rows
   * that can no longer be served (counted before the latest task write) are dropped. */
  TASK_COUNT_CACHE_MAX_ROWS: z.coerce.number().int().positive().default(10_000),
  TASK_COUNT_CACHE_PURGE_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  ADMIN_USERNAME: z.string().min(3).max(150).default("admin"),
  ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Proxies whose X-Forwarded-For names the client: unset trusts none (the TCP peer is the client). */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const trust = parseTrustProxy(value);
      if (!("problems" in trust)) return trust;
      for (const message of trust.problems) ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }),
  /** A client must send a whole request within this, and its headers within the next one (slow-client guard). */
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60),
  /** Failed logins per account from every address together, per window: bounds guessing spread over addresses. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(100),
  /**
   * Units of work per user (anonymous: per address) per window: a call is one, and one more per 16 KiB of its
   * body or answer; a batch counts each of its calls. A short window keeps a burst short.
   */
  RATE_LIMIT_CALLS: z.coerce.number().int().positive().default(200),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
  /** A service account's budget (each of its API keys has its own), in the same window. */
  SERVICE_RATE_LIMIT_CALLS: z.coerce.number().int().positive().default(2000),
  SERVICE_MAX_CONCURRENT_CALLS: z.coerce.number().int().positive().default(16),
  /** How long the answer to an Idempotency-Key is kept for a repeat. */
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  /** Most tasks one bulk change may touch (a filter over more than BULK_MAX_IDS also needs confirmCount). */
  BULK_MAX_TASKS: z.coerce.number().int().positive().default(10_000),
  /** Events: how often each server looks for new ones unprompted, what one stream may have waiting before it is
   * dropped, streams per user (or key) at once, and how often a stream's credentials are checked again. */
  EVENTS_POLL_MS: z.coerce.number().int().positive().default(250),
  EVENTS_MAX_QUEUED: z.coerce.number().int().positive().default(1000),
  EVENTS_MAX_STREAMS_PER_USER: z.coerce.number().int().positive().default(5),
  EVENTS_MAX_STREAMS: z.coerce.number().int().positive().default(1000),
  EVENTS_RECHECK_SECONDS: z.coerce.number().positive().default(15),
  /** A refusal for too many requests is answered after this long (at most its Retry-After): no tight loops. */
  RATE_LIMIT_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  /** Calls of one user (or address) running at once in a process, and waiting for a turn beyond those. */
  MAX_CONCURRENT_CALLS: z.coerce.number().int().positive().default(4),
  MAX_QUEUED_CALLS: z.coerce.number().int().min(0).default(32),
  /** Calls in one tRPC batch; a longer batch is refused whole (400). */
  MAX_BATCH_CALLS: z.coerce.number().int().positive().max(100).default(10),
  /** Password hashes (argon2) computed at once, and allowed to wait; past that, 503 with Retry-After. */
  HASH_CONCURRENCY: z.coerce.number().int().positive().default(2),
  HASH_MAX_QUEUED: z.coerce.number().int().min(0).default(32),
  /** PostgreSQL cancels a request's statement after this long (0: never). The embedded PGlite has no timer. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
});

export type Env = z.infer<typeof EnvSchema>;
export interface Config extends Omit<Env, "JWT_SECRET"> {
  JWT_SECRET: string;
  isProduction: boolean;
}

export { ConfigError };

/** Reads the environment once, listing every problem at the same time. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values = parseEnv(EnvSchema, env);
  const isProduction = values.NODE_ENV === "production";
  if (isProduction && !values.JWT_SECRET) {
    throw new ConfigError(["JWT_SECRET: required in production (at least 32 characters)"]);
  }
  return {
    ...values,
    isProduction,
    JWT_SECRET: values.JWT_SECRET ?? developmentSecret(values.DATA_DIR, "jwt-secret"),
  };
}

/** A development secret generated at first run and kept under DATA_DIR, so tokens survive restarts. */
function developmentSecret(dataDir: string, name: string): string {
  const dir = join(dataDir, "secrets");
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return secret;
}

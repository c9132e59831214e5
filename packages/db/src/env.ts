import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_SWEEP_BATCH_SIZE } from "./task-store/overdue-sweep";

/**
 * Where a relative DATA_DIR starts: the repository's root (the directory of pnpm-workspace.yaml) when the process
 * runs inside the repository, whichever package it was started from, so `pnpm start`, `pnpm cli` and a package's
 * own script open one database; elsewhere (the image) the working directory.
 */
export function dataDirBase(from = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** An on/off environment variable: true/false or 1/0. */
export const envFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1"));

/**
 * DB_POOL_SIZE. At least 2: migrating holds an advisory lock on one pooled connection while another applies
 * the migrations, so a pool of one waited for itself at start-up.
 */
export const envPoolSize = (fallback: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(2, "must be at least 2: migrating holds a lock on one connection and migrates on another")
    .max(max)
    .default(fallback);

/** The variables the server and the worker both read (API.md, Configuration), parsed the same way by both. */
export const sharedEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL")
    .optional(),
  DATA_DIR: z
    .string()
    .min(1)
    .default("./.data")
    .transform((dir) => (isAbsolute(dir) ? dir : resolve(dataDirBase(), dir))),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// URL")
    .optional(),
  /** Server-side prepared statements; false behind a pooler that cannot keep them (PgBouncer before 1.21). */
  DB_PREPARE: envFlag(true),
  OVERDUE_SWEEP_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  OVERDUE_SWEEP_BATCH_SIZE: z.coerce.number().int().positive().max(50_000).default(DEFAULT_SWEEP_BATCH_SIZE),
  /** Redis key prefix of the job queue (and the limiters); processes that share it share one schedule. */
  QUEUE_PREFIX: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment with `schema`, every problem listed at once (ConfigError). An empty variable counts
 * as unset, as in a compose file's `FOO=`.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return parsed.data;
}

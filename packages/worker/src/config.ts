import { envFlag, envPoolSize } from "@taskmgr/db";
import { z } from "zod";

const WorkerEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// URL")
    .optional(),
  OVERDUE_SWEEP_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  QUEUE_PREFIX: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DB_POOL_SIZE: envPoolSize(3, 50),
  DB_PREPARE: envFlag(true),
});

export type WorkerConfig = z.infer<typeof WorkerEnv>;

/** The worker process's environment; every problem listed at once. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = WorkerEnv.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n")}`,
    );
  }
  return parsed.data;
}

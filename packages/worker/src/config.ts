import { envPoolSize, parseEnv, sharedEnv } from "@taskmgr/db";
import { z } from "zod";

const WorkerEnv = z.object({
  ...sharedEnv,
  DB_POOL_SIZE: envPoolSize(3, 50),
});

export type WorkerConfig = z.infer<typeof WorkerEnv>;

/** The worker process's environment; every problem listed at once. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(WorkerEnv, env);
}

import { z } from "zod";

/** An on/off environment variable shared by the server's and the worker's configuration: true/false or 1/0. */
export const envFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1"));

/**
 * DB_POOL_SIZE for the server and the worker. At least 2: migrating holds an advisory lock on one pooled
 * connection while another applies the migrations, so a pool of one waited for itself at start-up.
 */
export const envPoolSize = (fallback: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(2, "must be at least 2: migrating holds a lock on one connection and migrates on another")
    .max(max)
    .default(fallback);

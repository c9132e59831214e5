import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import type { Config } from "../config";

/**
 * A counter of `points` per `duration` seconds under `<QUEUE_PREFIX>:<name>`: in Redis when configured, so the
 * limit holds across replicas; with Redis down it falls back to this process's memory rather than failing.
 */
export function sharedRateLimiter(
  config: Config,
  redis: Redis | null | undefined,
  name: string,
  limit: { points: number; duration: number },
) {
  const options = { keyPrefix: `${config.QUEUE_PREFIX ?? "bull"}:${name}`, ...limit };
  const memory = new RateLimiterMemory(options);
  return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory;
}

import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";

export interface LoginLimiter {
  /** Seconds to wait when this username and address are locked out, else 0. */
  blockedFor(username: string, ip: string): Promise<number>;
  recordFailure(username: string, ip: string): Promise<void>;
  reset(username: string, ip: string): Promise<void>;
}

/** Failed logins per (username, address). In Redis when configured, so the limit holds across replicas. */
export function createLoginLimiter(config: Config, redis: Redis | null | undefined): LoginLimiter {
  const options = {
    keyPrefix: "login-fail",
    points: config.LOGIN_MAX_FAILURES,
    duration: config.LOGIN_FAILURE_WINDOW_SECONDS,
  };
  const memory = new RateLimiterMemory(options);
  // With Redis down, counting falls back to this process's memory rather than failing logins.
  const limiter = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
    : memory;
  const key = (username: string, ip: string) => `${username.toLowerCase()}|${ip}`;
  return {
    async blockedFor(username, ip) {
      const res = await limiter.get(key(username, ip)).catch(() => null);
      if (!res || res.consumedPoints < options.points) return 0;
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    },
    async recordFailure(username, ip) {
      await limiter.consume(key(username, ip)).catch((err) => {
        if (!(err instanceof RateLimiterRes)) throw err;
      });
    },
    async reset(username, ip) {
      await limiter.delete(key(username, ip)).catch(() => undefined);
    },
  };
}

import type { Redis } from "ioredis";
import pLimit, { type LimitFunction } from "p-limit";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";
import { tooManyRequests } from "../errors";
import { BUDGET_UNIT_CHARS } from "../limits";
import { sharedRateLimiter } from "./shared-rate-limiter";

export interface CallBudget {
  /**
   * Runs one procedure call on behalf of `principal` (a user, or an address for anonymous calls): it spends
   * `units` of the principal's rate budget (one for the call, more for a large body), then waits for one of
   * the principal's concurrent slots. Counted per call, not per request, so a batch can never do more than the
   * same calls sent one by one.
   */
  run<T>(principal: string, units: number, call: () => Promise<T>): Promise<T>;
  /** Charges `units` more after the fact (a large answer); the principal's next calls pay for it. */
  charge(principal: string, units: number): Promise<void>;
}

/**
 * A fair share for every caller. The rate budget is shared by every replica through Redis (process memory
 * without it); the concurrency slots are per process, and are what keeps one caller's slow calls from taking
 * every pooled database connection or the whole event loop while others wait.
 */
export function createCallBudget(config: Config, redis: Redis | null | undefined): CallBudget {
  const options = { points: config.RATE_LIMIT_CALLS, duration: config.RATE_LIMIT_WINDOW_SECONDS };
  const rate = sharedRateLimiter(config, redis, "calls", options);
  const slots = new Map<string, LimitFunction>();

  return {
    async charge(principal, units) {
      if (units > 0) await rate.penalty(principal, units).catch(() => undefined);
    },

    async run(principal, units, call) {
      try {
        await rate.consume(principal, units);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw tooManyRequests(
          `Rate limit of ${options.points} units per ${options.duration} s reached (a call is one unit, and one more per ${BUDGET_UNIT_CHARS / 1024} KiB of body or answer)`,
          err.msBeforeNext / 1000,
        );
      }
      const existing = slots.get(principal);
      if (
        existing &&
        existing.activeCount >= config.MAX_CONCURRENT_CALLS &&
        existing.pendingCount >= config.MAX_QUEUED_CALLS
      ) {
        throw tooManyRequests(
          `Too many calls in progress: at most ${config.MAX_CONCURRENT_CALLS} at once, ${config.MAX_QUEUED_CALLS} waiting`,
          1,
        );
      }
      const limit = existing ?? pLimit(config.MAX_CONCURRENT_CALLS);
      slots.set(principal, limit);
      const owned = limit;
      try {
        return await owned(call);
      } finally {
        // The map holds only callers with calls in progress, so it is bounded by them, not by every caller seen.
        if (owned.activeCount === 0 && owned.pendingCount === 0 && slots.get(principal) === owned) {
          slots.delete(principal);
        }
      }
    },
  };
}

import type { Redis } from "ioredis";
import pLimit, { type LimitFunction } from "p-limit";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";
import { tooManyRequests } from "../errors";
import { BUDGET_UNIT_CHARS } from "../limits";
import { sharedRateLimiter } from "./shared-rate-limiter";

/** Whose budget: a person's (or an address's), or a service account's, which is larger. */
export type Tier = "person" | "service";

/** What is left of a caller's budget after a call, for the RateLimit headers. */
export interface BudgetState {
  policy: string;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export interface RunOptions {
  tier?: Tier;
  /** Told the budget's state after the call's units are spent, or when they are refused. */
  report?: (state: BudgetState) => void;
}

export interface CallBudget {
  /**
   * Runs one procedure call on behalf of `principal` (a user, or an address for anonymous calls): it spends
   * `units` of the principal's rate budget (one for the call, more for a large body), then waits for one of
   * the principal's concurrent slots. Counted per call, not per request, so a batch can never do more than the
   * same calls sent one by one.
   */
  run<T>(principal: string, units: number, call: () => Promise<T>, options?: RunOptions): Promise<T>;
  /** Charges `units` more after the fact (a large answer); the principal's next calls pay for it. */
  charge(principal: string, units: number, tier?: Tier): Promise<void>;
}

/**
 * A fair share for every caller. The rate budget is shared by every replica through Redis (process memory
 * without it); the concurrency slots are per process, and are what keeps one caller's slow calls from taking
 * every pooled database connection or the whole event loop while others wait.
 */
export function createCallBudget(config: Config, redis: Redis | null | undefined): CallBudget {
  const window = config.RATE_LIMIT_WINDOW_SECONDS;
  const tiers = {
    person: {
      policy: "calls",
      points: config.RATE_LIMIT_CALLS,
      concurrent: config.MAX_CONCURRENT_CALLS,
      rate: sharedRateLimiter(config, redis, "calls", { points: config.RATE_LIMIT_CALLS, duration: window }),
    },
    service: {
      policy: "service-calls",
      points: config.SERVICE_RATE_LIMIT_CALLS,
      concurrent: config.SERVICE_MAX_CONCURRENT_CALLS,
      rate: sharedRateLimiter(config, redis, "service-calls", {
        points: config.SERVICE_RATE_LIMIT_CALLS,
        duration: window,
      }),
    },
  };
  const slots = new Map<string, LimitFunction>();
  const stateOf = (tier: (typeof tiers)[Tier], res: RateLimiterRes): BudgetState => ({
    policy: tier.policy,
    limit: tier.points,
    windowSeconds: window,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
  });

  return {
    async charge(principal, units, tier = "person") {
      if (units > 0) await tiers[tier].rate.penalty(principal, units).catch(() => undefined);
    },

    async run(principal, units, call, options = {}) {
      const tier = tiers[options.tier ?? "person"];
      try {
        // Consumed before reporting: `report?.(…)` would skip evaluating its argument when there is no report.
        const spent = await tier.rate.consume(principal, units);
        options.report?.(stateOf(tier, spent));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        options.report?.(stateOf(tier, err));
        throw tooManyRequests(
          `Rate limit of ${tier.points} units per ${window} s reached (a call is one unit, and one more per ${BUDGET_UNIT_CHARS / 1024} KiB of body or answer)`,
          err.msBeforeNext / 1000,
        );
      }
      const existing = slots.get(principal);
      if (
        existing &&
        existing.activeCount >= tier.concurrent &&
        existing.pendingCount >= config.MAX_QUEUED_CALLS
      ) {
        throw tooManyRequests(
          `Too many calls in progress: at most ${tier.concurrent} at once, ${config.MAX_QUEUED_CALLS} waiting`,
          1,
        );
      }
      const limit = existing ?? pLimit(tier.concurrent);
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

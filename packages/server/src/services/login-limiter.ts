import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";
import { tooManyRequests } from "../errors";
import { sharedRateLimiter } from "./shared-rate-limiter";

export interface LoginLimiter {
  /**
   * Takes one attempt at `username`'s password from `ip` before the password is checked, or throws 429 when
   * the address or the account has none left. Taking it first is what makes the count hold under concurrency:
   * calls that check first and count after all pass the check together.
   */
  reserve(username: string, ip: string): Promise<void>;
  /** The password was right: the address starts afresh, and the account gets its attempt back. */
  succeeded(username: string, ip: string): Promise<void>;
}

/**
 * Password guesses, counted twice: per (account, address), which stops one client, and per account across
 * every address, which bounds guessing spread over many addresses (at the price that such a spread can lock
 * the account for a window). In Redis when configured, so the limits hold across replicas; with Redis down,
 * counting falls back to this process's memory rather than failing logins.
 */
export function createLoginLimiter(config: Config, redis: Redis | null | undefined): LoginLimiter {
  const make = (name: string, points: number) =>
    sharedRateLimiter(config, redis, name, { points, duration: config.LOGIN_FAILURE_WINDOW_SECONDS });
  const perAddress = make("login-address", config.LOGIN_MAX_FAILURES);
  const perAccount = make("login-account", config.LOGIN_MAX_FAILURES_PER_ACCOUNT);
  const account = (username: string) => username.normalize("NFKC").toLowerCase();
  const addressKey = (username: string, ip: string) => `${account(username)}|${ip}`;

  return {
    async reserve(username, ip) {
      for (const [limiter, key] of [
        [perAddress, addressKey(username, ip)],
        [perAccount, account(username)],
      ] as const) {
        try {
          await limiter.consume(key);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          throw tooManyRequests(
            `Too many failed logins; retry in ${Math.ceil(err.msBeforeNext / 1000)} s`,
            err.msBeforeNext / 1000,
          );
        }
      }
    },
    async succeeded(username, ip) {
      await Promise.all([
        perAddress.delete(addressKey(username, ip)).catch(() => undefined),
        perAccount.reward(account(username), 1).catch(() => undefined),
      ]);
    },
  };
}

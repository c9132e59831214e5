import { type Algorithm, hash, verify } from "@node-rs/argon2";
import pLimit from "p-limit";
import { busy } from "../errors";

const ARGON2ID: Algorithm.Argon2id = 2;

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordOptions {
  /** Hashes computed at once; the rest wait their turn. */
  concurrency: number;
  /** Hashes allowed to wait; past it a caller is told the server is busy (503) instead of queueing forever. */
  maxQueued: number;
}

export interface Passwords {
  hash(password: string): Promise<string>;
  /** True when the password matches. With no hash (unknown user), checks a dummy so timing does not tell. */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

/**
 * Every argon2 computation goes through one queue. Each takes a thread of libuv's pool (4 by default) for tens
 * of milliseconds, and everything else that needs the pool (token verification, DNS, file reads) would wait
 * behind a burst of them.
 */
export function createPasswords(options: PasswordOptions): Passwords {
  const limit = pLimit(options.concurrency);
  const queued = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.activeCount >= options.concurrency && limit.pendingCount >= options.maxQueued) {
      throw busy("Too many password checks in progress");
    }
    return limit(work);
  };
  let dummy: Promise<string> | null = null;
  return {
    hash: (password) => queued(() => hash(password, OPTIONS)),
    async verify(passwordHash, password) {
      if (!passwordHash) {
        dummy ??= queued(() => hash("not-a-real-password-but-as-slow-as-one", OPTIONS)).catch((err) => {
          dummy = null;
          throw err;
        });
        const real = await dummy;
        await queued(() => verify(real, password).catch(() => false));
        return false;
      }
      return queued(() => verify(passwordHash, password).catch(() => false));
    },
  };
}

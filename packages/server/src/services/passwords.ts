import { type Algorithm, hash, verify } from "@node-rs/argon2";

const ARGON2ID: Algorithm.Argon2id = 2;

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface Passwords {
  hash(password: string): Promise<string>;
  /** True when the password matches. With no hash (unknown user), checks a dummy so timing does not tell. */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

export function createPasswords(): Passwords {
  let dummy: Promise<string> | null = null;
  return {
    hash: (password) => hash(password, OPTIONS),
    async verify(passwordHash, password) {
      if (!passwordHash) {
        dummy ??= hash("not-a-real-password-but-as-slow-as-one", OPTIONS);
        await verify(await dummy, password).catch(() => false);
        return false;
      }
      return verify(passwordHash, password).catch(() => false);
    },
  };
}

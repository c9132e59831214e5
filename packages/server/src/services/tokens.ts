import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type Database, refreshTokens, type Tx, users } from "@taskmgr/db";
import type { Role, TokenPair } from "@taskmgr/db/contracts";
import { and, eq, isNull } from "drizzle-orm";
import { sign, verify } from "hono/jwt";
import { LRUCache } from "lru-cache";
import type { Config } from "../config";
import { unauthorized } from "../errors";

export interface AccessClaims {
  sub: string;
  role: Role;
  typ: "access";
  /** The session: the refresh-token family this token was issued with. It ends when the family is revoked. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

const isCanonicalBase64url = (part: string) =>
  /^[A-Za-z0-9_-]*$/.test(part) && Buffer.from(part, "base64url").toString("base64url") === part;

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export type Tokens = ReturnType<typeof createTokens>;

/** Access JWTs (HS256, hono/jwt) and refresh tokens (opaque, stored hashed, rotated within a family). */
export function createTokens(config: Config, database: Database) {
  const { db } = database;
  // Imported once: given the secret as a string, hono/jwt imports the key again on every sign and verify.
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(config.JWT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  // Access tokens that passed verify, by their exact text. A client sends the same token on every request for its
  // lifetime, and each WebCrypto verify is a round trip through the thread pool. Only verified tokens get in, so
  // a hit decides nothing the signature did not; expiry is checked on every hit.
  const verified = new LRUCache<string, AccessClaims>({ max: 10_000 });

  async function signAccess(user: { id: string; role: Role }, familyId: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessClaims = {
      sub: user.id,
      role: user.role,
      typ: "access",
      sid: familyId,
      jti: randomUUID(),
      iat: now,
      exp: now + config.ACCESS_TOKEN_TTL,
    };
    return sign({ ...claims }, await key, "HS256");
  }

  async function issuePair(
    executor: Tx | typeof db,
    user: { id: string; role: Role },
    familyId: string = randomUUID(),
  ) {
    const refresh = randomBytes(32).toString("base64url");
    await executor.insert(refreshTokens).values({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refresh),
      expiresAt: new Date(Date.now() + config.REFRESH_TOKEN_TTL * 1000),
    });
    const pair: TokenPair = {
      access: await signAccess(user, familyId),
      refresh,
      tokenType: "Bearer",
      expiresIn: config.ACCESS_TOKEN_TTL,
    };
    return pair;
  }

  async function revokeFamily(executor: Tx | typeof db, familyId: string) {
    await executor
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  }

  return {
    issuePair: (user: { id: string; role: Role }) => issuePair(db, user),

    /** The claims of a valid access token, or null: wrong algorithm, secret, type, or expired. */
    async verifyAccess(token: string): Promise<AccessClaims | null> {
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > Date.now()) return known;
        verified.delete(token);
        return null;
      }
      // Base64url has several spellings of the same bytes (the unused bits of the last character, a trailing
      // "="); the signature covers the text, so only the one canonical spelling is accepted.
      if (!token.split(".").every(isCanonicalBase64url)) return null;
      try {
        const payload = (await verify(token, await key, "HS256")) as Partial<AccessClaims>;
        if (
          payload.typ !== "access" ||
          typeof payload.sub !== "string" ||
          typeof payload.sid !== "string" ||
          typeof payload.exp !== "number"
        ) {
          return null;
        }
        verified.set(token, payload as AccessClaims);
        return payload as AccessClaims;
      } catch {
        return null;
      }
    },

    /** Spends a refresh token for a new pair in its family. A spent token revokes the whole family. */
    async rotate(refresh: string): Promise<TokenPair> {
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashToken(refresh)))
          .for("update");
        if (!row || row.revokedAt) return { error: "Invalid refresh token" } as const;
        if (row.usedAt) {
          // Reuse means the token was stolen or replayed: log out every holder of this family.
          await revokeFamily(tx, row.familyId);
          return { error: "Refresh token was already used; its session has been revoked" } as const;
        }
        if (row.expiresAt.getTime() <= Date.now()) return { error: "Refresh token has expired" } as const;
        const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
        if (!user?.isActive) return { error: "User is deactivated" } as const;
        await tx.update(refreshTokens).set({ usedAt: new Date() }).where(eq(refreshTokens.id, row.id));
        return { pair: await issuePair(tx, user, row.familyId) } as const;
      });
      if ("error" in outcome) throw unauthorized(outcome.error);
      return outcome.pair;
    },

    /** Revokes the family of a refresh token the caller holds; unknown tokens change nothing. */
    async logout(userId: string, refresh: string): Promise<void> {
      const [row] = await db
        .select({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.tokenHash, hashToken(refresh)), eq(refreshTokens.userId, userId)));
      if (row) await revokeFamily(db, row.familyId);
    },

    async revokeAllFor(executor: Tx, userId: string): Promise<void> {
      await executor
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
    },
  };
}

import { createHash, randomBytes } from "node:crypto";
import { apiKeys, type Database, users } from "@taskmgr/db";
import type {
  ApiKey,
  ApiKeyCreateInput,
  ApiKeyListQuery,
  ApiKeyScope,
  ApiKeyWithSecret,
  Page,
} from "@taskmgr/db/contracts";
import { and, count, eq, sql } from "drizzle-orm";
import { fieldError, notFound } from "../errors";
import type { AuthUser } from "./actor";
import { assertMayGrant, keyOwnerFor, mayRevoke } from "./api-key-policy";
import { type CursorCodec, keysetPage, pageRows, type SortKey } from "./keyset";
import { inTransaction } from "./transactions";

type ApiKeyRow = typeof apiKeys.$inferSelect;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_CHARS = 40; // 40 × log2(62) ≈ 238 random bits
const PREFIX_CHARS = 11; // "tm_" and 8 characters: enough to tell a user's keys apart, far too few to guess
export const API_KEY_PATTERN = /^tm_[0-9A-Za-z]{40}$/;

/** `tm_` and 40 base62 characters, each drawn uniformly (bytes past the last whole multiple of 62 are redrawn). */
function newSecret(): string {
  let out = "tm_";
  while (out.length < 3 + SECRET_CHARS) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && out.length < 3 + SECRET_CHARS) out += BASE62[byte % 62];
    }
  }
  return out;
}

const digestOf = (secret: string) => createHash("sha256").update(secret).digest("hex");

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    userId: row.userId,
    prefix: row.prefix,
    scopes: row.scopes as ApiKeyScope[],
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

/** lastUsedAt is kept to the minute: at most one write a minute per key, however busy it is. */
const LAST_USED_RESOLUTION = sql`interval '1 minute'`;
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeys = ReturnType<typeof createApiKeys>;

/** API keys: made and revoked by their user or an admin, checked on every call that sends one. */
export function createApiKeys(database: Database, cursors: CursorCodec) {
  const { db } = database;

  return {
    /**
     * The user an API key acts for, read afresh on every call, so that revocation, expiry and deactivation act
     * at once on every replica. Null when the key is unknown, revoked, expired or its user inactive.
     */
    async authenticate(secret: string): Promise<AuthUser | null> {
      if (!API_KEY_PATTERN.test(secret)) return null;
      // The one row the digest names, judged here: a plain indexed lookup is the cheapest query a call can make.
      const [row] = await db
        .select({
          keyId: apiKeys.id,
          scopes: apiKeys.scopes,
          expiresAt: apiKeys.expiresAt,
          revokedAt: apiKeys.revokedAt,
          lastUsedAt: apiKeys.lastUsedAt,
          id: users.id,
          username: users.username,
          role: users.role,
          kind: users.kind,
          isActive: users.isActive,
        })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(eq(apiKeys.digest, digestOf(secret)));
      const now = Date.now();
      if (!row || row.revokedAt || !row.isActive || (row.expiresAt && row.expiresAt.getTime() <= now))
        return null;
      if (!row.lastUsedAt || row.lastUsedAt.getTime() < now - LAST_USED_RESOLUTION_MS) {
        // Conditional on the database's clock, so that replicas racing at the minute's turn write it once.
        await db
          .update(apiKeys)
          .set({ lastUsedAt: sql`now()` })
          .where(
            and(
              eq(apiKeys.id, row.keyId),
              sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - ${LAST_USED_RESOLUTION})`,
            ),
          );
      }
      return {
        id: row.id,
        username: row.username,
        role: row.role,
        kind: row.kind,
        apiKey: { id: row.keyId, scopes: row.scopes as ApiKeyScope[] },
      };
    },

    async create(actor: AuthUser, input: ApiKeyCreateInput): Promise<ApiKeyWithSecret> {
      const userId = keyOwnerFor(actor, input.userId);
      assertMayGrant(actor, input.scopes);
      const secret = newSecret();
      return inTransaction(database, async (tx) => {
        const [owner] = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, userId), eq(users.isActive, true)));
        if (!owner) throw fieldError("userId", "no active user has this id");
        const [row] = await tx
          .insert(apiKeys)
          .values({
            userId,
            name: input.name,
            prefix: secret.slice(0, PREFIX_CHARS),
            digest: digestOf(secret),
            scopes: input.scopes,
            expiresAt: input.expiresAt ?? null,
          })
          .returning();
        return { ...toApiKey(row!), secret };
      });
    },

    async list(actor: AuthUser, query: ApiKeyListQuery): Promise<Page<ApiKey>> {
      const userId = keyOwnerFor(actor, query.userId);
      const where = eq(apiKeys.userId, userId);
      const keys: SortKey[] = [
        { field: "createdAt", column: apiKeys.createdAt, desc: true, nullable: false, kind: "date" },
        { field: "id", column: apiKeys.id, desc: true, nullable: false, kind: "value" },
      ];
      return keysetPage({
        codec: cursors,
        keys,
        query,
        identity: { list: "apiKeys", userId },
        rows: (seek, limit, offset, pageKeys) => pageRows(db, apiKeys, where, pageKeys, seek, limit, offset),
        count: async () => (await db.select({ n: count() }).from(apiKeys).where(where))[0]?.n ?? 0,
        map: toApiKey,
      });
    },

    /** Revoked at once; revoking a revoked key changes nothing and succeeds. */
    async revoke(actor: AuthUser, id: string): Promise<void> {
      await inTransaction(database, async (tx) => {
        const [key] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for("update");
        if (!key || !mayRevoke(actor, key)) throw notFound("API key");
        if (!key.revokedAt) await tx.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, id));
      });
    },
  };
}

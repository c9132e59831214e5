import { randomBytes } from "node:crypto";
import { ADVISORY_LOCKS, type Database, refreshTokens, usernameKeyOf, users } from "@taskmgr/db";
import type {
  Page,
  Role,
  User,
  UserCreateInput,
  UserKind,
  UserListQuery,
  UserUpdateInput,
} from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { and, count, eq, exists, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import { fieldError, mapDatabaseError, notFound, unauthorized } from "../errors";
import type { AuthUser } from "./actor";
import { type CursorCodec, keysetPage, pageRows, type SortKey } from "./keyset";
import type { LoginLimiter } from "./login-limiter";
import { containsPattern } from "./paging";
import { assertPasswordAllowed, passwordProblem } from "./password-policy";
import type { Passwords } from "./passwords";
import type { Tokens } from "./tokens";
import { inTransaction } from "./transactions";
import { assertMayChangeUser, assertNotLastAdmin, assertSelfOrAdmin, mayRemoveAnAdmin } from "./user-policy";
import { storeMissingSkeletons } from "./usernames";

type UserRow = typeof users.$inferSelect;

/** A service account's stored hash: no argon2 string, so no password ever matches it. */
const NO_PASSWORD = "!";

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    isActive: row.isActive,
    kind: row.kind,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createUsers(deps: {
  database: Database;
  passwords: Passwords;
  tokens: Tokens;
  limiter: LoginLimiter;
  cursors: CursorCodec;
}) {
  const { database, passwords, tokens, limiter, cursors } = deps;
  const { db } = database;

  /** Every user is created here: through the API, by the CLI's createsuperuser, and as the first admin. */
  async function insertUser(
    input: Omit<UserCreateInput, "kind"> & { role: Role; kind?: UserKind },
  ): Promise<User> {
    // The contract has put a name from the API in NFKC already; the CLI's and the first admin's arrive as typed.
    const username = input.username.normalize("NFKC");
    const kind = input.kind ?? "PERSON";
    let passwordHash = NO_PASSWORD;
    if (kind === "PERSON") {
      if (input.password === undefined) throw fieldError("password", "required for a person");
      await assertPasswordAllowed(input.password, username);
      passwordHash = await passwords.hash(input.password);
    }
    try {
      return await inTransaction(database, async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS.userCreation})`);
        const [row] = await tx
          .insert(users)
          .values({ username, email: input.email ?? null, role: input.role, kind, passwordHash })
          .returning();
        // A look-alike is a conflict like a duplicate: the name is valid, another user holds one like it.
        if ((await storeMissingSkeletons(tx)).has(row!.id)) {
          throw new TRPCError({
            code: "CONFLICT",
            message: `username "${username}" looks like one that is already taken`,
          });
        }
        return toUser(row!);
      });
    } catch (err) {
      return mapDatabaseError(err, { unique: `username "${username}" is already taken` });
    }
  }

  /**
   * A user's own password, checked before they may change it. A guess at it is a guess at the password, so it
   * is counted by the login limiter like a login. Returns the hash it matched.
   */
  async function checkCurrentPassword(actor: AuthUser, currentPassword: string | undefined, ip: string) {
    if (!currentPassword) {
      throw fieldError("currentPassword", "required to change your own password");
    }
    await limiter.reserve(actor.username, ip);
    const [row] = await db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, actor.id));
    if (!row) throw notFound("User");
    if (!(await passwords.verify(row.passwordHash, currentPassword))) {
      throw fieldError("currentPassword", "does not match");
    }
    await limiter.succeeded(actor.username, ip);
    return row.passwordHash;
  }

  return {
    /** The user behind an access token, if active and if the token's session (refresh family) is live. */
    async findActive(id: string, sessionId: string) {
      const [row] = await db
        .select({ id: users.id, username: users.username, role: users.role })
        .from(users)
        .where(
          and(
            eq(users.id, id),
            eq(users.isActive, true),
            exists(
              db
                .select({ one: sql`1` })
                .from(refreshTokens)
                .where(
                  and(
                    eq(refreshTokens.familyId, sessionId),
                    eq(refreshTokens.userId, id),
                    isNull(refreshTokens.revokedAt),
                  ),
                ),
            ),
          ),
        );
      return row ?? null;
    },

    async login(username: string, password: string, ip: string) {
      await limiter.reserve(username, ip);
      const [row] = await db
        .select()
        .from(users)
        .where(eq(users.usernameKey, usernameKeyOf(username)));
      // Unknown user, service account and wrong password take the same path and the same time.
      const person = row?.kind === "PERSON" ? row : undefined;
      const ok = await passwords.verify(person?.passwordHash ?? null, password);
      if (!person || !ok || !person.isActive) throw unauthorized("Invalid username or password");
      await limiter.succeeded(username, ip);
      return tokens.issuePair(person);
    },

    create: (input: Omit<UserCreateInput, "kind"> & { kind?: UserKind }) => insertUser(input),

    async list(query: UserListQuery): Promise<Page<User>> {
      const filters: SQL[] = [];
      if (query.role) filters.push(eq(users.role, query.role));
      if (query.isActive !== undefined) filters.push(eq(users.isActive, query.isActive));
      if (query.search) {
        const pattern = containsPattern(query.search);
        filters.push(or(ilike(users.username, pattern), ilike(users.email, pattern))!);
      }
      const where = and(...filters);
      const keys: SortKey[] = [
        { field: "createdAt", column: users.createdAt, desc: true, nullable: false, kind: "date" },
        { field: "id", column: users.id, desc: true, nullable: false, kind: "value" },
      ];
      const { page: _page, cursor: _cursor, pageSize: _size, ...shape } = query;
      return keysetPage({
        codec: cursors,
        keys,
        query,
        identity: { list: "users", shape },
        rows: (seek, limit, offset, pageKeys) => pageRows(db, users, where, pageKeys, seek, limit, offset),
        count: async () => (await db.select({ n: count() }).from(users).where(where))[0]?.n ?? 0,
        map: toUser,
      });
    },

    async get(actor: AuthUser, id: string): Promise<User> {
      assertSelfOrAdmin(actor, id);
      const [row] = await db.select().from(users).where(eq(users.id, id));
      if (!row) throw notFound("User");
      return toUser(row);
    },

    async update(actor: AuthUser, input: UserUpdateInput, ip: string): Promise<User> {
      assertMayChangeUser(actor, input);
      const { id, currentPassword, password, ...changes } = input;
      const self = actor.id === id;
      if (password !== undefined) {
        const [target] = await db
          .select({ username: users.username, kind: users.kind })
          .from(users)
          .where(eq(users.id, id));
        if (target?.kind === "SERVICE") {
          throw fieldError("password", "a service account has no password: it uses API keys");
        }
        if (target) await assertPasswordAllowed(password, target.username);
      }
      // Checked before the transaction: a hash takes tens of milliseconds, and no pooled connection or row lock
      // is held while it runs. The transaction then changes the password only if it is still the one checked.
      const checkedHash =
        password !== undefined && self ? await checkCurrentPassword(actor, currentPassword, ip) : undefined;
      const newHash = password !== undefined ? await passwords.hash(password) : undefined;
      const mayRemoveAdmin = mayRemoveAnAdmin(changes);
      return inTransaction(database, async (tx) => {
        // Lock every active admin first, always in id order: two concurrent demotions of the last two admins
        // then queue up instead of deadlocking, and the second sees the first's result.
        const activeAdmins = mayRemoveAdmin
          ? await tx
              .select({ id: users.id })
              .from(users)
              .where(and(eq(users.role, "ADMIN"), eq(users.isActive, true)))
              .orderBy(users.id)
              .for("update")
          : [];
        const [current] = await tx.select().from(users).where(eq(users.id, id)).for("update");
        if (!current) throw notFound("User");
        if (checkedHash !== undefined && current.passwordHash !== checkedHash) {
          throw new TRPCError({
            code: "CONFLICT",
            message: "Your password was changed while this request ran; send it again",
          });
        }
        assertNotLastAdmin(current, activeAdmins.length, changes);
        const [row] = await tx
          .update(users)
          .set({ ...changes, ...(newHash ? { passwordHash: newHash } : {}), updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning();
        if (newHash || changes.isActive === false) await tokens.revokeAllFor(tx, id);
        return toUser(row!);
      });
    },

    /**
     * With an empty user table, creates the first admin. Returns the generated password when it made one up,
     * so the caller can print it once.
     */
    async bootstrapAdmin(opts: {
      username: string;
      password: string | undefined;
      production: boolean;
    }): Promise<{ created: boolean; generatedPassword?: string }> {
      const [existing] = await db.select({ n: count() }).from(users);
      if ((existing?.n ?? 0) > 0) return { created: false };
      if (!opts.password && opts.production) {
        throw new Error(
          "ADMIN_PASSWORD: required in production to create the first admin of an empty database",
        );
      }
      const problem = opts.password && (await passwordProblem(opts.password, opts.username));
      if (problem) throw new Error(`ADMIN_PASSWORD: ${problem}`);
      const generated = opts.password ? undefined : randomBytes(12).toString("base64url");
      try {
        await insertUser({ username: opts.username, password: (opts.password ?? generated)!, role: "ADMIN" });
      } catch (err) {
        // Another replica created it first.
        if (err instanceof TRPCError && err.code === "CONFLICT") return { created: false };
        throw err;
      }
      return { created: true, ...(generated ? { generatedPassword: generated } : {}) };
    },
  };
}

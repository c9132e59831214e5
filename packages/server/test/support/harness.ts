import { createDb, migrate } from "@taskmgr/db";
import type { Role } from "@taskmgr/db/contracts";
import { sweepOverdue } from "@taskmgr/db/task-store";
import { createTestDb, type TestDatabase } from "@taskmgr/db/testing";
import { type PrivatePostgres, startPrivatePostgres } from "@taskmgr/db/testing/private-postgres";
import { createTRPCClient, httpBatchLink, httpLink } from "@trpc/client";
import type { Redis } from "ioredis";
import { inject } from "vitest";
import { createApp } from "../../src/app";
import type { Config } from "../../src/config";
import type { AppDeps } from "../../src/deps";
import type { AppRouter } from "../../src/router";
import { createServices, type Services } from "../../src/services";
import { recordAnswer } from "./answered-statuses";
import { testConfig, testLogger } from "./config";

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  access: string;
  refresh: string;
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  database: TestDatabase;
  config: Config;
  services: Services;
  admin: TestUser;
  /** A REST call through app.request; JSON in, JSON out. */
  rest(method: string, path: string, opts?: RestOptions): Promise<RestResponse>;
  /** A tRPC client through the same app, acting as the given user (or anonymous). */
  trpc(
    user?: { access: string } | null,
    opts?: { batch?: boolean },
  ): ReturnType<typeof createTRPCClient<AppRouter>>;
  makeUser(role: Role, overrides?: { username?: string; password?: string }): Promise<TestUser>;
  login(username: string, password: string): Promise<{ access: string; refresh: string }>;
  close(): Promise<void>;
}

export interface RestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface RestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  body: any;
}

let counter = 0;

export async function startHarness(
  opts: {
    config?: Record<string, string>;
    redis?: Redis | null;
    database?: TestDatabase;
    sweeper?: AppDeps["sweeper"];
    logger?: AppDeps["logger"];
  } = {},
): Promise<Harness> {
  const database = opts.database ?? (await createTestDb());
  const config = testConfig(opts.config);
  const deps: AppDeps = {
    config,
    database,
    logger: opts.logger ?? testLogger(),
    redis: opts.redis ?? null,
    sweeper: opts.sweeper ?? { runNow: () => sweepOverdue(database.db) },
  };
  const services = createServices(deps);
  const app = createApp(deps, services);

  async function rest(method: string, path: string, o: RestOptions = {}): Promise<RestResponse> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(path, { method, headers, body });
    recordAnswer(inject("answeredStatusesDir"), method, path, res.status);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async function login(username: string, password: string) {
    const res = await rest("POST", "/api/auth/login", { body: { username, password } });
    if (res.status !== 200)
      throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { access: string; refresh: string };
  }

  async function makeUser(role: Role, o: { username?: string; password?: string } = {}): Promise<TestUser> {
    counter += 1;
    const username =
      o.username ?? `${role.toLowerCase()}${counter}_${Math.random().toString(36).slice(2, 7)}`;
    const password = o.password ?? `pw-${username}-secret`;
    const user = await services.users.create({ username, password, role, email: null });
    const tokens = await login(username, password);
    return { id: user.id, username, password, role, ...tokens };
  }

  function trpc(user?: { access: string } | null, o: { batch?: boolean } = {}) {
    const linkOptions = {
      url: "http://localhost/trpc",
      fetch: async (url: URL | RequestInfo, init?: RequestInit) => app.request(url as string, init),
      headers: (): Record<string, string> => (user ? { authorization: `Bearer ${user.access}` } : {}),
    };
    return createTRPCClient<AppRouter>({
      links: [
        o.batch === false
          ? httpLink(linkOptions)
          : httpBatchLink({ ...linkOptions, maxItems: config.MAX_BATCH_CALLS }),
      ],
    });
  }

  const admin = await makeUser("ADMIN");
  return {
    app,
    database,
    config,
    services,
    admin,
    rest,
    trpc,
    makeUser,
    login,
    close: async () => {
      await services.events.stop();
      await database.close();
    },
  };
}

/** A harness on a PostgreSQL of its own, which the test may stop and start (`pg.stop()`, `pg.start()`). */
export async function startHarnessOnPrivatePostgres(
  opts: { poolSize?: number; logger?: AppDeps["logger"] } = {},
): Promise<{ pg: PrivatePostgres; h: Harness; close(): Promise<void> }> {
  const pg = await startPrivatePostgres();
  const database = await createDb({ databaseUrl: pg.url, poolSize: opts.poolSize ?? 4 });
  await migrate(database);
  const h = await startHarness({ database, ...(opts.logger ? { logger: opts.logger } : {}) });
  return {
    pg,
    h,
    async close() {
      await h.close().catch(() => {});
      pg.destroy();
    },
  };
}

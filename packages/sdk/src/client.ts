import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  type Operation,
  retryLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { EventSource } from "eventsource";
import { TaskManagerError } from "./errors";
import type { AppRouter } from "./router";

export interface Tokens {
  access: string;
  /** The refresh token; null in a cookie session, where only the browser holds it (HttpOnly). */
  refresh: string | null;
}

export interface ClientOptions {
  /** Where the server is: `https://tasks.example.com` (the SDK adds /trpc and /api). */
  baseUrl: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /**
   * "tokens" (the default): the client holds the access and the refresh token. "cookie", for a web app served
   * by the server itself: the server keeps the refresh token in an HttpOnly cookie that page scripts cannot
   * read, the access token lives in this client's memory only, and `resumeSession()` signs a reloaded page
   * back in from the cookie.
   */
  session?: "tokens" | "cookie";
  /**
   * An API key (`tm_…`) to act with instead of a login: for services. Sent as the bearer credential on every
   * call; there is nothing to refresh, and login and logout are not used.
   */
  apiKey?: string;
  /** Tokens from an earlier session (for example from storage). */
  tokens?: Tokens | null;
  /** Called whenever the tokens change: after login and every refresh, and with null when the session ends. */
  onTokens?: (tokens: Tokens | null) => void;
  /** Batch calls made in the same tick into one HTTP request (default true). */
  batch?: boolean;
  /**
   * Calls in one batched request at most (default 10, the server's default MAX_BATCH_CALLS, which refuses a
   * longer batch whole); more calls made together go in several requests.
   */
  maxBatchCalls?: number;
  /**
   * How many more times a call that failed for a passing reason is sent, 1 s, then 2 s, … later (default 2; 0
   * turns it off): a query answered 503 (the server's database briefly unavailable); a mutation answered 503 or
   * lost on the network. Every mutation carries an Idempotency-Key, the same on each of its attempts, so a
   * retried create that had in fact been made is answered with the task it made, never a second one.
   */
  retries?: number;
}

/** The Idempotency-Key of a mutation: made once per call, before the retries, so that every attempt sends it. */
const idempotencyKeyLink: TRPCLink<AppRouter> =
  () =>
  ({ next, op }) =>
    next(
      op.type === "mutation" && typeof op.context.idempotencyKey !== "string"
        ? { ...op, context: { ...op.context, idempotencyKey: crypto.randomUUID() } }
        : op,
    );

/** A failure worth another attempt: the server briefly unavailable, or (for a mutation) the network. */
function passing(op: Operation, error: { data?: { httpStatus?: number } | null; cause?: unknown }): boolean {
  if (error.data?.httpStatus === 503) return true;
  // No answer at all (fetch threw): the request may or may not have reached the server; the key makes it safe.
  return (
    op.type === "mutation" && !error.data && error.cause instanceof Error && error.cause.name === "TypeError"
  );
}

/** Turns every failure into a TaskManagerError. */
const errorLink: TRPCLink<AppRouter> =
  () =>
  ({ next, op }) =>
    observable((observer) =>
      next(op).subscribe({
        next: (value) => observer.next(value),
        error: (err) => observer.error(TaskManagerError.from(err)),
        complete: () => observer.complete(),
      }),
    );

type TaskListInput = inferRouterInputs<AppRouter>["tasks"]["list"];
type TaskOutput = inferRouterOutputs<AppRouter>["tasks"]["get"];

/** The typed procedures (`client.tasks.list.query(…)`) plus the session and an iterator over every task. */
export type TaskManagerClient = Omit<TRPCClient<AppRouter>, "tasks"> & {
  tasks: TRPCClient<AppRouter>["tasks"] & {
    /**
     * Every task matching the filters, page after page by cursor (a keyset seek: as fast at the end as at the
     * start): `for await (const task of client.tasks.iterate({ status: ["PENDING"] }))`.
     */
    iterate(input?: Omit<TaskListInput, "page" | "cursor">): AsyncGenerator<TaskOutput, void, undefined>;
  };
  /** Logs in and keeps the tokens. */
  login(username: string, password: string): Promise<Tokens>;
  /**
   * The session again after a reload: in a cookie session, a new access token from the cookie (null when
   * there is no session to resume); otherwise the tokens the client was given.
   */
  resumeSession(): Promise<Tokens | null>;
  /** Revokes this session's refresh-token family on the server and forgets the tokens. */
  logout(): Promise<void>;
  /**
   * A request to one of the server's other routes (`/admin/queues/session`, say), with the session's access token
   * and the same refresh on a 401 as every procedure call: `client.fetch("/admin/queues/session", { method: "POST" })`.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The current tokens, or null when logged out. */
  readonly tokens: Tokens | null;
};

export function createClient(options: ClientOptions): TaskManagerClient {
  // A wrong baseUrl is the caller's mistake, said at once, not a failed request later.
  let parsed: URL | undefined;
  try {
    parsed = new URL(options.baseUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new TypeError(
      `baseUrl: expected an absolute http(s) URL such as https://tasks.example.com, got "${options.baseUrl}"`,
    );
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const rawFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<Tokens> | null = null;
  const cookieSession = options.session === "cookie";

  const setTokens = (next: Tokens | null) => {
    tokens = next;
    options.onTokens?.(next);
  };

  /** One refresh at a time: every request that met a 401 meanwhile waits for the same one. */
  function refreshOnce(): Promise<Tokens> {
    refreshing ??= (async () => {
      const current = tokens;
      if (!cookieSession && !current?.refresh) {
        throw new TaskManagerError("Not logged in", { code: "UNAUTHORIZED", status: 401 });
      }
      const send = () =>
        rawFetch(`${baseUrl}/api/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(cookieSession ? { session: "cookie" } : { refresh: current?.refresh }),
          credentials: "same-origin",
        });
      // Tabs of one browser share the cookie: two refreshing at once would send the same token twice, which
      // the server takes for a stolen one (revoking the session). One tab at a time: the next sends the cookie
      // the first one's answer rotated.
      const locks = cookieSession ? globalThis.navigator?.locks : undefined;
      const res = locks ? await locks.request("taskmgr-session-refresh", send) : await send();
      if (!res.ok) {
        // Refused: the session is over. Anything else (a 503 while the database restarts, a 429) is not.
        if (res.status === 401 || res.status === 403) setTokens(null);
        throw await TaskManagerError.fromResponse(res, "Session expired; log in again");
      }
      const pair = (await res.json()) as { access: string; refresh?: string };
      const next = { access: pair.access, refresh: pair.refresh ?? null };
      setTokens(next);
      return next;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** Attaches the access token; on a 401, refreshes once and retries once. */
  const authedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (options.apiKey !== undefined) {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${options.apiKey}`);
      return rawFetch(input, { ...init, headers });
    }
    const send = (access: string | undefined) => {
      const headers = new Headers(init?.headers);
      if (access) headers.set("authorization", `Bearer ${access}`);
      return rawFetch(input, { ...init, headers });
    };
    const usedAccess = tokens?.access;
    const res = await send(usedAccess);
    if (res.status !== 401 || !tokens) return res;
    // Another request may have refreshed already while this one was in flight.
    const fresh = tokens.access !== usedAccess ? tokens : await refreshOnce();
    return send(fresh.access);
  };

  // The server refuses a longer batch whole: more calls made together go in several requests.
  const linkOptions = { url: `${baseUrl}/trpc`, fetch: authedFetch as typeof globalThis.fetch };
  const retries = options.retries ?? 2;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      errorLink,
      idempotencyKeyLink,
      retryLink({
        retry: ({ op, error, attempts }) => attempts <= retries && passing(op, error),
        retryDelayMs: (attempt) => attempt * 1000,
      }),
      splitLink({
        // Event streams over SSE, through the eventsource package's EventSource in every runtime: it takes a
        // fetch, so the credential travels as a header (refreshed on a 401 like every call), never in the URL.
        // A dropped stream reconnects with the last event's id and resumes after it.
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${baseUrl}/trpc`,
          EventSource,
          eventSourceOptions: () => ({ fetch: authedFetch }),
        }),
        // A mutation goes alone, with its own Idempotency-Key header (the server takes one key per request).
        false: splitLink({
          condition: (op) => op.type === "mutation",
          true: httpLink({
            ...linkOptions,
            headers: ({ op }) => ({ "idempotency-key": String(op.context.idempotencyKey) }),
          }),
          false:
            options.batch === false
              ? httpLink(linkOptions)
              : httpBatchLink({ ...linkOptions, maxItems: options.maxBatchCalls ?? 10 }),
        }),
      }),
    ],
  });

  const session = {
    async login(username: string, password: string): Promise<Tokens> {
      const pair = await trpc.auth.login.mutate({
        username,
        password,
        ...(cookieSession ? { session: "cookie" as const } : {}),
      });
      const next = { access: pair.access, refresh: "refresh" in pair ? pair.refresh : null };
      setTokens(next);
      return next;
    },
    async resumeSession(): Promise<Tokens | null> {
      if (!cookieSession) return tokens;
      try {
        return await refreshOnce();
      } catch (err) {
        if (err instanceof TaskManagerError && err.status === 401) return null;
        throw err;
      }
    },
    async logout(): Promise<void> {
      const current = tokens;
      if (!current) return;
      try {
        if (current.refresh !== null) {
          await trpc.auth.logout.mutate({ refresh: current.refresh });
        } else {
          // The cookie is sent to /api/auth only: the REST route reads it, revokes its family and clears it.
          const res = await authedFetch(`${baseUrl}/api/auth/logout`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
            credentials: "same-origin",
          });
          if (!res.ok && res.status !== 401) throw await TaskManagerError.fromResponse(res, "Logout failed");
        }
      } finally {
        setTokens(null);
      }
    },
    fetch: (path: string, init?: RequestInit) => {
      // The access token goes to this server only: "@evil.example/x" appended to the base URL would not.
      const url = new URL(path, `${baseUrl}/`);
      if (!path.startsWith("/") || path.startsWith("//") || url.origin !== new URL(baseUrl).origin) {
        throw new TypeError(
          `path: expected a path on the server such as /admin/queues/session, got "${path}"`,
        );
      }
      return authedFetch(url.href, init);
    },
    get tokens(): Tokens | null {
      return tokens;
    },
  };
  async function* iterate(
    input: Omit<TaskListInput, "page" | "cursor"> = {},
  ): AsyncGenerator<TaskOutput, void, undefined> {
    let cursor: string | null = null;
    do {
      const page: inferRouterOutputs<AppRouter>["tasks"]["list"] = await trpc.tasks.list.query({
        ...input,
        ...(cursor ? { cursor } : {}),
      });
      yield* page.results;
      cursor = page.nextCursor;
    } while (cursor);
  }
  const tasks = new Proxy(trpc.tasks, {
    get: (target, prop, receiver) => (prop === "iterate" ? iterate : Reflect.get(target, prop, receiver)),
  });

  // The tRPC client is a proxy that answers every property with a procedure path, so our own members are
  // served first by proxies of our own.
  return new Proxy(trpc, {
    get: (target, prop, receiver) => {
      if (prop === "tasks") return tasks;
      return prop in session ? Reflect.get(session, prop) : Reflect.get(target, prop, receiver);
    },
  }) as unknown as TaskManagerClient;
}

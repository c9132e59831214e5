import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { TaskManagerError } from "./errors";
import type { AppRouter } from "./router";

export interface Tokens {
  access: string;
  refresh: string;
}

export interface ClientOptions {
  /** Where the server is: `https://tasks.example.com` (the SDK adds /trpc and /api). */
  baseUrl: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** Tokens from an earlier session (for example from storage). */
  tokens?: Tokens | null;
  /** Called whenever the tokens change: after login and every refresh, and with null when the session ends. */
  onTokens?: (tokens: Tokens | null) => void;
  /** Batch calls made in the same tick into one HTTP request (default true). */
  batch?: boolean;
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

/** The typed procedures (`client.tasks.list.query(…)`) plus the session. */
export type TaskManagerClient = TRPCClient<AppRouter> & {
  /** Logs in and keeps the tokens. */
  login(username: string, password: string): Promise<Tokens>;
  /** Revokes this session's refresh-token family on the server and forgets the tokens. */
  logout(): Promise<void>;
  /** The current tokens, or null when logged out. */
  readonly tokens: Tokens | null;
};

export function createClient(options: ClientOptions): TaskManagerClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const rawFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<Tokens> | null = null;

  const setTokens = (next: Tokens | null) => {
    tokens = next;
    options.onTokens?.(next);
  };

  /** One refresh at a time: every request that met a 401 meanwhile waits for the same one. */
  function refreshOnce(): Promise<Tokens> {
    refreshing ??= (async () => {
      const current = tokens;
      if (!current) throw new TaskManagerError("Not logged in", { code: "UNAUTHORIZED", status: 401 });
      const res = await rawFetch(`${baseUrl}/api/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh: current.refresh }),
      });
      if (!res.ok) {
        setTokens(null);
        const body = (await res.json().catch(() => ({}))) as { message?: string; code?: string };
        throw new TaskManagerError(body.message ?? "Session expired; log in again", {
          code: body.code ?? "UNAUTHORIZED",
          status: res.status,
        });
      }
      const pair = (await res.json()) as Tokens;
      const next = { access: pair.access, refresh: pair.refresh };
      setTokens(next);
      return next;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** Attaches the access token; on a 401, refreshes once and retries once. */
  const authedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
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

  const linkOptions = { url: `${baseUrl}/trpc`, fetch: authedFetch as typeof globalThis.fetch };
  const trpc = createTRPCClient<AppRouter>({
    links: [errorLink, options.batch === false ? httpLink(linkOptions) : httpBatchLink(linkOptions)],
  });

  const session = {
    async login(username: string, password: string): Promise<Tokens> {
      const pair = await trpc.auth.login.mutate({ username, password });
      const next = { access: pair.access, refresh: pair.refresh };
      setTokens(next);
      return next;
    },
    async logout(): Promise<void> {
      const current = tokens;
      if (!current) return;
      try {
        await trpc.auth.logout.mutate({ refresh: current.refresh });
      } finally {
        setTokens(null);
      }
    },
    get tokens(): Tokens | null {
      return tokens;
    },
  };
  // The tRPC client is a proxy that answers every property with a procedure path, so the session's members are
  // served first by a proxy of our own.
  return new Proxy(trpc, {
    get: (target, prop, receiver) =>
      prop in session ? Reflect.get(session, prop) : Reflect.get(target, prop, receiver),
  }) as TaskManagerClient;
}

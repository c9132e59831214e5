import { QueryClient } from "@tanstack/react-query";
import { createClient, TaskManagerError } from "@taskmgr/sdk";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";

const listeners = new Set<() => void>();
let hadTokens = false;

/** Called by the SDK's onTokens: null after tokens means the server ended the session. */
function tokensChanged(tokens: unknown): void {
  if (tokens) hadTokens = true;
  else if (hadTokens) {
    hadTokens = false;
    for (const listener of listeners) listener();
  }
}

export function onSessionEnd(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The console's one way to the server: the SDK, in a cookie session (the refresh token stays in an HttpOnly
 * cookie; the access token in this module's memory only).
 */
export const client = createClient({
  baseUrl: window.location.origin,
  session: "cookie",
  retries: 1,
  onTokens: tokensChanged,
});

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A refused call (4xx) is an answer: asking again would not change it.
      retry: (failures, err) => failures < 2 && !(err instanceof TaskManagerError && err.status < 500),
    },
  },
});

/** `trpc.tasks.list.queryOptions(input)` and the like: TanStack Query options for every procedure. */
export const trpc = createTRPCOptionsProxy({ client, queryClient });

/** The message to show for a failure, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

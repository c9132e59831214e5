import { client, queryClient, trpc } from "./api";

/** How long events gather before the task queries they touch are asked again: a bulk change is one refetch. */
const SETTLE_MS = 250;

/**
 * Keeps what the console shows of tasks live: while someone is signed in, an event stream (the SDK's, which
 * reconnects and resumes by itself) marks the task lists, pages and histories stale, and those on screen are
 * fetched again. Returns the stop.
 */
export function followTaskEvents(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const subscription = client.events.subscribe.subscribe(
    {},
    {
      onData: () => {
        timer ??= setTimeout(() => {
          timer = null;
          void queryClient.invalidateQueries({ queryKey: trpc.tasks.pathKey() });
        }, SETTLE_MS);
      },
    },
  );
  return () => {
    if (timer) clearTimeout(timer);
    subscription.unsubscribe();
  };
}

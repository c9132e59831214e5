import { EventsQuery } from "@taskmgr/db/contracts";
import { tracked } from "@trpc/server";
import { authedProcedure, authenticate, bearerCredential, router } from "../trpc";

export const eventsRouter = router({
  /**
   * Live task events over SSE (API.md, Events), each tracked by its id so that a client that reconnects
   * resumes after the last one it saw. The same stream is GET /api/events (http/events-stream.ts).
   */
  subscribe: authedProcedure
    .meta({ scope: "tasks:read" })
    .input(EventsQuery)
    .subscription(async ({ ctx, input, signal }) => {
      const credential = bearerCredential(ctx.authorization) ?? "";
      const stream = await ctx.services.events.subscribe({
        actor: ctx.user,
        types: input.type,
        taskId: input.taskId,
        lastEventId: input.lastEventId,
        signal,
        stillAuthorized: async () => (await authenticate(ctx, credential)) !== null,
      });
      return (async function* () {
        for await (const event of stream) yield tracked(event.id, event);
      })();
    }),
});

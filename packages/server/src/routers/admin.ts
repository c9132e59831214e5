import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { adminProcedure, router } from "../trpc";

export const SweepResult = z.object({ markedOverdue: z.int() }).meta({ id: "SweepResult" });

export const adminRouter = router({
  overdueSweep: adminProcedure
    .meta({
      scope: "admin",
      openapi: {
        method: "POST",
        path: "/admin/overdue-sweep",
        tags: ["admin"],
        protect: true,
        summary: "Run the overdue sweep now and wait for its result (ADMIN)",
      },
    })
    // No parameters: an empty body, or none; anything in it is refused by name rather than ignored.
    .input(z.strictObject({}).optional())
    .output(SweepResult)
    .mutation(async ({ ctx }) => {
      try {
        return await ctx.deps.sweeper.runNow();
      } catch (err) {
        ctx.deps.logger.error({ err }, "overdue sweep on demand failed");
        throw new TRPCError({
          code: "SERVICE_UNAVAILABLE",
          message: "The sweep did not run: the queue or its worker is unavailable; try again later",
        });
      }
    }),
});

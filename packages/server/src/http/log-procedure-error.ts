import type { TRPCError } from "@trpc/server";
import type { Logger } from "../logger";

/**
 * What both doors log of a failed procedure: internal errors, and the database being unavailable (a 503 to the
 * client, but an operator must hear of it). Client errors are the client's business and are not logged.
 */
export function logProcedureError(
  logger: Logger,
  error: TRPCError,
  path: string | undefined,
  reqId: unknown,
) {
  if (error.code === "INTERNAL_SERVER_ERROR") {
    logger.error({ err: error.cause ?? error, path, reqId }, "procedure failed");
  } else if (error.code === "SERVICE_UNAVAILABLE") {
    logger.warn(
      { err: error.cause ?? error, path, reqId },
      "procedure failed: a backing service is unavailable",
    );
  }
}

import { unavailableCode } from "@taskmgr/db";
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
    // The database's outage: its code says it all, and the statement's SQL and parameters stay out of the log.
    const code = unavailableCode(error);
    if (code) logger.warn({ code, path, reqId }, "procedure failed: the database is unavailable");
    else
      logger.warn(
        { err: error.cause ?? error, path, reqId },
        "procedure failed: a backing service is unavailable",
      );
  }
}

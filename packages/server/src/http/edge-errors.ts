import { type ErrorCode, errorBody } from "@taskmgr/db/contracts";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Context as HonoContext } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldIssue } from "../errors";

/**
 * Errors answered before any procedure runs (body or query too large, no such route, a crash): in the
 * contract's shape on /api and the rest, in tRPC's own shape on /trpc so tRPC clients can read them.
 */
export function edgeError(
  c: HonoContext,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  issues?: FieldIssue[],
): Response {
  const body = errorBody({
    message,
    code,
    issues,
    requestId: (c.get("requestId") as string | undefined) ?? "",
  });
  if (c.req.path === "/trpc" || c.req.path.startsWith("/trpc/")) {
    const { message: _, ...data } = body;
    return c.json(
      { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { ...data, httpStatus: status } } },
      status,
    );
  }
  return c.json(body, status);
}

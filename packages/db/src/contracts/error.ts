import { z } from "zod";

/** The codes an error body may carry (API.md, Errors): tRPC's code names, one per HTTP status we answer. */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_SUPPORTED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNPROCESSABLE_CONTENT",
  "TOO_MANY_REQUESTS",
  "CLIENT_CLOSED_REQUEST",
  "INTERNAL_SERVER_ERROR",
  "NOT_IMPLEMENTED",
  "SERVICE_UNAVAILABLE",
  "GATEWAY_TIMEOUT",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const FieldIssue = z
  .object({
    path: z
      .string()
      .meta({ description: "the field, dot-separated (tasks.0.title); (input) for the whole input" }),
    message: z.string(),
    code: z.string().optional().meta({ description: "zod's issue code, e.g. invalid_type" }),
  })
  .meta({ id: "FieldIssue" });
export type FieldIssue = z.infer<typeof FieldIssue>;

/**
 * The body of every error, on every door (API.md, Errors). The tRPC error formatter, the REST door, the edge
 * errors and the OpenAPI document are built from this schema, and the SDK's error type from its type.
 */
export const ErrorBody = z
  .object({
    message: z.string().meta({ description: "human readable; a validation error names its fields" }),
    code: ErrorCode.meta({ description: "tRPC error code name" }),
    issues: z.array(FieldIssue).optional().meta({ description: "one per bad field, on validation errors" }),
    requestId: z.string().meta({ description: "the X-Request-Id of the request, for the logs" }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error body, its keys in the contract's order and `issues` only when there are some. */
export function errorBody(parts: {
  message: string;
  code: ErrorCode;
  issues?: readonly FieldIssue[] | undefined;
  requestId: string;
}): ErrorBody {
  return {
    message: parts.message,
    code: parts.code,
    ...(parts.issues?.length ? { issues: [...parts.issues] } : {}),
    requestId: parts.requestId,
  };
}

/** A code the contract knows, from whatever a layer below produced (tRPC's PARSE_ERROR is a bad request). */
export function contractCode(code: string | undefined): ErrorCode {
  if (code === "PARSE_ERROR") return "BAD_REQUEST";
  return (ERROR_CODES as readonly string[]).includes(code ?? "")
    ? (code as ErrorCode)
    : "INTERNAL_SERVER_ERROR";
}

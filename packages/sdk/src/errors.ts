import type { ErrorBody, ErrorCode, FieldIssue } from "@taskmgr/db/contracts";
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "./router";

export type { ErrorCode, FieldIssue };

/** The contract's error body (ErrorBody) as tRPC carries it: the message apart, the rest under `data`. */
type ErrorData = Partial<Omit<ErrorBody, "message">> & { httpStatus?: number };

/**
 * What the client itself reports, having no answer from the server: NETWORK_ERROR when the request never got
 * one (the server unreachable, the connection cut), CLIENT_ERROR for anything else thrown around the call.
 */
export type ClientErrorCode = "CLIENT_ERROR" | "NETWORK_ERROR";

const BRAND = Symbol.for("@taskmgr/sdk.TaskManagerError");

/** The one error callers see: the contract's code, the HTTP status, a message, and per-field issues. */
export class TaskManagerError extends TRPCClientError<AppRouter> {
  // TRPCClientError answers instanceof with its own check; ours recognises our errors (from any copy of the SDK).
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode | ClientErrorCode;
  readonly status: number;
  readonly issues: FieldIssue[];
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again, from the answer's Retry-After (on 429 and 503). */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    opts: {
      code: ErrorCode | ClientErrorCode;
      status: number;
      issues?: FieldIssue[];
      requestId?: string;
      retryAfter?: number;
      cause?: Error;
    },
  ) {
    super(message, opts.cause ? { cause: opts.cause } : {});
    this.name = "TaskManagerError";
    this.code = opts.code;
    this.status = opts.status;
    this.issues = opts.issues ?? [];
    this.requestId = opts.requestId;
    this.retryAfter = opts.retryAfter;
  }

  /** The error a REST answer that is not ok carries (its body is the contract's ErrorBody). */
  static async fromResponse(res: Response, fallback: string): Promise<TaskManagerError> {
    const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
    const retryAfter = Number(res.headers.get("retry-after") ?? Number.NaN);
    return new TaskManagerError(body.message ?? fallback, {
      code: body.code ?? "INTERNAL_SERVER_ERROR",
      status: res.status,
      ...(body.issues ? { issues: body.issues } : {}),
      ...(body.requestId ? { requestId: body.requestId } : {}),
      ...(Number.isFinite(retryAfter) ? { retryAfter } : {}),
    });
  }

  static override from(err: unknown): TaskManagerError {
    if (err instanceof TaskManagerError) return err;
    if (err instanceof TRPCClientError) {
      const response = (err.meta as { response?: Response } | undefined)?.response;
      if (!err.data && !response) {
        // No answer at all: fetch itself failed (tRPC wraps its TypeError).
        return new TaskManagerError(`The server could not be reached: ${err.message}`, {
          code: "NETWORK_ERROR",
          status: 0,
          cause: err,
        });
      }
      const data = (err.data ?? {}) as ErrorData;
      const retryAfter = Number(response?.headers.get("retry-after") ?? Number.NaN);
      return new TaskManagerError(err.message, {
        ...(Number.isFinite(retryAfter) ? { retryAfter } : {}),
        code: data.code ?? "INTERNAL_SERVER_ERROR",
        status: data.httpStatus ?? 500,
        ...(data.issues ? { issues: data.issues } : {}),
        ...(data.requestId ? { requestId: data.requestId } : {}),
        cause: err,
      });
    }
    const cause = err instanceof Error ? err : new Error(String(err));
    return new TaskManagerError(cause.message, { code: "CLIENT_ERROR", status: 0, cause });
  }
}

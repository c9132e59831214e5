import type { MiddlewareHandler } from "hono";
import { edgeError } from "./edge-errors";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The media type of a Content-Type header, without parameters, lower-cased: "application/json". */
export function mediaType(header: string | null | undefined): string | null {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type || null;
}

/**
 * Request bodies on both doors: JSON (the media type exactly application/json, any parameters) in valid UTF-8.
 * A body that is not is refused here, before any procedure: decoded leniently, invalid bytes would become
 * U+FFFD and be stored altered; matched by prefix, "application/jsonx" would pass for JSON. The checked text is
 * left in `jsonBody` for the doors to read.
 */
export function jsonBody(): MiddlewareHandler<{ Variables: { jsonBody: string | undefined } }> {
  return async (c, next) => {
    if (!BODY_METHODS.has(c.req.method)) return next();
    const bytes = await c.req.arrayBuffer();
    const type = c.req.header("content-type");
    if (bytes.byteLength === 0 && !type) return next();
    if (mediaType(type) !== "application/json") {
      return edgeError(
        c,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        type
          ? `Content-Type "${type}" is not supported: send application/json`
          : "Content-Type is missing: send application/json",
      );
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return edgeError(c, 400, "BAD_REQUEST", "Request body is not valid UTF-8");
    }
    c.set("jsonBody", text);
    return next();
  };
}

// Cursors: signed, opaque, bound to the query that issued them (its fingerprint), carrying the sort keys' values.
import { createHash, createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import { fieldError } from "../../errors";
import type { SortKey } from "./seek";

export interface CursorPayload {
  q: string;
  p: number;
  k: unknown[];
}

/** Signed, opaque cursors bound to the query that issued them. */
export function createCursorCodec(secret: string) {
  // A KeyObject made once: given the raw bytes, createHmac makes one on every call, which costs more than the
  // HMAC itself (docs/benchmarks.md, "Behind comments").
  const key = createSecretKey(createHmac("sha256", secret).update("taskmgr cursor v1").digest());
  const sign = (body: string) => createHmac("sha256", key).update(body).digest("base64url").slice(0, 22);
  const bad = (why: string) => fieldError("cursor", why);
  return {
    encode(payload: CursorPayload): string {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    decode(
      token: string,
      fingerprint: string,
      keys: readonly SortKey[],
    ): { page: number; values: unknown[] } {
      const [body, signature] = token.split(".");
      if (!body || !signature) throw bad("not a cursor this API issued");
      const expected = Buffer.from(sign(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given))
        throw bad("not a cursor this API issued");
      let payload: CursorPayload;
      try {
        payload = JSON.parse(Buffer.from(body, "base64url").toString()) as CursorPayload;
      } catch {
        throw bad("malformed");
      }
      if (payload.q !== fingerprint) {
        throw bad(
          "issued for another query; send the same filters, ordering and pageSize, or start again without it",
        );
      }
      if (!Array.isArray(payload.k) || payload.k.length !== keys.length) throw bad("malformed");
      const values = payload.k.map((v, i) =>
        keys[i]!.kind === "date" && typeof v === "string" ? new Date(v) : v,
      );
      return { page: payload.p, values };
    },
  };
}
export type CursorCodec = ReturnType<typeof createCursorCodec>;

/** A fingerprint of everything that decides a list's rows and their order (not the page). */
export function fingerprint(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

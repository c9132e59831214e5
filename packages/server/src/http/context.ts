import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import type { Services } from "../services";
import type { Context } from "../trpc";
import { clientAddress, type TrustedProxies } from "./client-address";
import { sessionCookie } from "./session-cookie";

export function clientIp(c: HonoContext, trust: TrustedProxies): string {
  let peer: string;
  try {
    peer = getConnInfo(c).remote.address ?? "unknown";
  } catch {
    peer = "unknown"; // app.request() in tests has no socket
  }
  return clientAddress(peer, c.req.header("x-forwarded-for"), trust);
}

/** The per-request tRPC context, the same for both doors. */
export function makeContext(
  c: HonoContext,
  deps: AppDeps,
  services: Services,
  setHeader: (name: string, value: string) => void,
  opts: { batch?: boolean } = {},
): Context {
  return {
    deps,
    services,
    requestId: c.get("requestId") ?? "",
    ip: clientIp(c, deps.config.TRUST_PROXY),
    authorization: c.req.header("authorization") ?? null,
    setHeader,
    session: sessionCookie(c, deps.config, setHeader),
    user: null,
    idempotencyKey: c.req.header("idempotency-key") ?? null,
    request: {
      batch: opts.batch ?? false,
      answerChars: 0,
      unchargedBodyChars: (c.get("jsonBody") as string | undefined)?.length ?? 0,
    },
  };
}

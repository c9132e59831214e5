import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context as HonoContext } from "hono";
import type { AppDeps } from "../deps";
import type { Services } from "../services";
import type { Context } from "../trpc";

function clientIp(c: HonoContext): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}

/** The per-request tRPC context, the same for both doors. */
export function makeContext(
  c: HonoContext,
  deps: AppDeps,
  services: Services,
  setHeader: (name: string, value: string) => void,
): Context {
  return {
    deps,
    services,
    requestId: c.get("requestId") ?? "",
    ip: clientIp(c),
    authorization: c.req.header("authorization") ?? null,
    setHeader,
    user: null,
  };
}

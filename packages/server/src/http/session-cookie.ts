import type { Context as HonoContext } from "hono";
import { generateCookie, getCookie } from "hono/cookie";
import type { Config } from "../config";

/**
 * The console's refresh token as a cookie (API.md, Console): HttpOnly (no page script reads it), SameSite=Strict
 * (no other site's page makes the browser send it), Path=/api/auth (sent to the auth routes only, never to /trpc
 * or a task route), Secure in production, where its name carries the `__Secure-` prefix so that no insecure
 * origin can set a cookie of that name either. hono's `host` prefix is not used: it forces Path=/.
 */
export interface SessionCookie {
  /** The refresh token the request's cookie holds, if any. */
  read(): string | undefined;
  /** Sets the cookie to a refresh token, for as long as a refresh token lives. */
  write(refresh: string): void;
  /** Tells the browser to drop the cookie. */
  clear(): void;
  /** Whether the request comes from this server's own pages (`fromOwnOrigin` below): the cookie is read only then. */
  fromOwnOrigin(): boolean;
}

const COOKIE_NAME = "tm_refresh";
const COOKIE_PATH = "/api/auth";

export function sessionCookie(
  c: HonoContext,
  config: Pick<Config, "isProduction" | "REFRESH_TOKEN_TTL" | "CORS_ORIGINS">,
  setHeader: (name: string, value: string) => void,
): SessionCookie {
  const name = config.isProduction ? `__Secure-${COOKIE_NAME}` : COOKIE_NAME;
  const attributes = {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: config.isProduction,
    ...(config.isProduction ? { prefix: "secure" as const } : {}),
  };
  const set = (value: string, maxAge: number) =>
    setHeader("Set-Cookie", generateCookie(COOKIE_NAME, value, { ...attributes, maxAge }));
  return {
    read: () => getCookie(c, name) || undefined,
    write: (refresh) => set(refresh, config.REFRESH_TOKEN_TTL),
    clear: () => set("", 0),
    fromOwnOrigin: () => fromOwnOrigin(c, config.CORS_ORIGINS),
  };
}

/**
 * Whether a request was sent by a page of this server's own origin (or of an origin CORS_ORIGINS lists). A
 * browser's `Sec-Fetch-Site: same-origin` says so on its own (a proxy that rewrites Host does not change it);
 * without that header the Origin, when present, must name this host. A request with neither comes from no
 * browser, and so from no page that could forge it.
 */
export function fromOwnOrigin(c: HonoContext, corsOrigins: readonly string[]): boolean {
  const origin = c.req.header("origin");
  const listed = origin !== undefined && corsOrigins.includes(origin);
  const site = c.req.header("sec-fetch-site");
  if (site === "same-origin") return true;
  if (site !== undefined && site !== "none" && !listed) return false;
  if (origin === undefined || origin === "null") return origin === undefined;
  if (listed) return true;
  try {
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
}

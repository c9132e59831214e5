import { z } from "zod";
import { text } from "./common";

/** A browser's session: the refresh token travels in an HttpOnly cookie instead of the body (API.md, Console). */
const CookieSession = z.literal("cookie").meta({
  description:
    "For a browser app: the refresh token is set as an HttpOnly, SameSite=Strict cookie scoped to /api/auth instead of being returned, and refresh reads it from there",
});

export const LoginInput = z.strictObject({
  username: text().min(1).max(150),
  password: text().min(1).max(256),
  session: CookieSession.optional(),
});

export const RefreshInput = z.strictObject({
  refresh: text().min(1).max(512).optional().meta({
    description: 'The refresh token; without it, the session cookie is read (then send session: "cookie")',
  }),
  session: CookieSession.optional(),
});

export const LogoutInput = z.strictObject({
  refresh: text().min(1).max(512).optional().meta({
    description:
      "The refresh token whose family is revoked; without it, the session cookie's (which is cleared)",
  }),
});

export const TokenPair = z
  .object({
    access: z.string(),
    refresh: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.int().meta({ description: "seconds until the access token expires" }),
  })
  .meta({ id: "TokenPair" });
export type TokenPair = z.infer<typeof TokenPair>;

/** The answer to a login or refresh with `session: "cookie"`: the refresh token is in the cookie, not here. */
export const CookieTokens = z
  .object({
    access: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.int().meta({ description: "seconds until the access token expires" }),
  })
  .meta({ id: "CookieSessionTokens" });
export type CookieTokens = z.infer<typeof CookieTokens>;

export const LoginAnswer = z.union([TokenPair, CookieTokens]);

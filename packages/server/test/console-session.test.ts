import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

// The console's session (API.md, Console): the refresh token in an HttpOnly cookie on /api/auth, and what keeps
// another site from using it.
let h: Harness;
const SITE = { host: "tasks.example", origin: "http://tasks.example" };
const listed = "https://app.partner.example";

beforeAll(async () => {
  h = await startHarness({ config: { CORS_ORIGINS: listed } });
});
afterAll(() => h.close());

/** The cookie a response set: its value and attributes. */
function setCookie(res: { headers: Headers }) {
  const header = res.headers.get("set-cookie");
  if (!header) return null;
  const [pair, ...attributes] = header.split("; ");
  const [name, value] = pair!.split("=");
  return { name, value, attributes };
}

async function cookieLogin() {
  const res = await h.rest("POST", "/api/auth/login", {
    body: { username: h.admin.username, password: h.admin.password, session: "cookie" },
    headers: { host: SITE.host, origin: SITE.origin },
  });
  expect(res.status).toBe(200);
  return { res, cookie: setCookie(res)! };
}

function refreshWith(
  cookie: string | null,
  headers: Record<string, string> = {},
  body: unknown = { session: "cookie" },
) {
  return h.rest("POST", "/api/auth/refresh", {
    body,
    headers: {
      host: SITE.host,
      origin: SITE.origin,
      ...(cookie ? { cookie: `tm_refresh=${cookie}` } : {}),
      ...headers,
    },
  });
}

describe("the console's cookie session", () => {
  it("login with session: cookie answers the access token and sets the refresh token as an HttpOnly, SameSite=Strict cookie on /api/auth", async () => {
    const { res, cookie } = await cookieLogin();
    expect(Object.keys(res.body).sort()).toEqual(["access", "expiresIn", "tokenType"]);
    expect(cookie.name).toBe("tm_refresh");
    expect(cookie.value).toMatch(/.{20,}/);
    expect(cookie.attributes).toEqual(["Max-Age=604800", "Path=/api/auth", "HttpOnly", "SameSite=Strict"]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    // The access token works.
    const me = await h.rest("GET", "/api/auth/me", { token: res.body.access });
    expect(me.status).toBe(200);
  });

  it("the JSON login for API clients is unchanged: both tokens in the body, no cookie", async () => {
    const res = await h.rest("POST", "/api/auth/login", {
      body: { username: h.admin.username, password: h.admin.password },
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh).toEqual(expect.any(String));
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("the tRPC login sets the same cookie", async () => {
    const res = await h.app.request("/trpc/auth.login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: h.admin.username, password: h.admin.password, session: "cookie" }),
    });
    expect(res.status).toBe(200);
    expect(setCookie(res)?.attributes).toContain("Path=/api/auth");
  });

  it("refresh reads the cookie, rotates it, and a replayed (spent) cookie is refused and cleared", async () => {
    const { cookie } = await cookieLogin();
    const first = await refreshWith(cookie.value!);
    expect(first.status).toBe(200);
    expect(first.body.refresh).toBeUndefined();
    const rotated = setCookie(first)!;
    expect(rotated.value).not.toBe(cookie.value);
    expect(rotated.attributes).toContain("HttpOnly");

    const replay = await refreshWith(cookie.value!);
    expect(replay.status).toBe(401);
    expect(setCookie(replay)?.attributes).toContain("Max-Age=0");
    // Reuse revokes the family: the rotated cookie is refused too.
    expect((await refreshWith(rotated.value!)).status).toBe(401);
  });

  it("refuses the cookie to a request from another site (CSRF), and leaves the session usable", async () => {
    const { cookie } = await cookieLogin();
    const crossOrigin = await refreshWith(cookie.value!, { origin: "https://evil.example" });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body.message).toMatch(/own pages/);
    const crossSite = await refreshWith(cookie.value!, { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    const sameSite = await refreshWith(cookie.value!, {
      "sec-fetch-site": "same-site",
      origin: "http://sub.tasks.example",
    });
    expect(sameSite.status).toBe(403);
    const nullOrigin = await refreshWith(cookie.value!, { origin: "null" });
    expect(nullOrigin.status).toBe(403);
    // None of them spent the token. The browser's same-origin is enough on its own, behind a proxy that
    // rewrites Host too.
    expect(
      (await refreshWith(cookie.value!, { "sec-fetch-site": "same-origin", host: "backend:3000" })).status,
    ).toBe(200);
  });

  it("accepts the cookie from an origin CORS_ORIGINS lists", async () => {
    const { cookie } = await cookieLogin();
    const res = await refreshWith(cookie.value!, { origin: listed, "sec-fetch-site": "cross-site" });
    expect(res.status).toBe(200);
  });

  it("a form cannot carry the refresh: only application/json is read (a cross-site JSON POST needs a preflight)", async () => {
    const { cookie } = await cookieLogin();
    const res = await h.rest("POST", "/api/auth/refresh", {
      rawBody: "session=cookie",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `tm_refresh=${cookie.value}`,
        host: SITE.host,
      },
    });
    expect(res.status).toBe(415);
  });

  it("without a refresh token in the body or session: cookie, refresh is a 400 naming refresh; with no cookie, a 401", async () => {
    const none = await refreshWith(null, {}, {});
    expect(none.status).toBe(400);
    expect(none.body.issues).toEqual([expect.objectContaining({ path: "refresh" })]);
    const noCookie = await refreshWith(null);
    expect(noCookie.status).toBe(401);
    expect(noCookie.body.message).toMatch(/No session cookie/);
  });

  it("logout revokes the cookie's session and clears the cookie", async () => {
    const { res, cookie } = await cookieLogin();
    const out = await h.rest("POST", "/api/auth/logout", {
      body: {},
      token: res.body.access,
      headers: { host: SITE.host, origin: SITE.origin, cookie: `tm_refresh=${cookie.value}` },
    });
    expect(out.status).toBe(204);
    expect(setCookie(out)?.attributes).toContain("Max-Age=0");
    expect((await refreshWith(cookie.value!)).status).toBe(401);
  });

  it("logout with neither a refresh token nor a cookie is a 400 naming refresh", async () => {
    const { res } = await cookieLogin();
    const out = await h.rest("POST", "/api/auth/logout", { body: {}, token: res.body.access });
    expect(out.status).toBe(400);
    expect(out.body.issues).toEqual([expect.objectContaining({ path: "refresh" })]);
  });
});

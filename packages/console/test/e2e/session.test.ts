import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, launchBrowser, newPage, signIn } from "../support/browser";
import { type ConsoleServer, startConsoleServer } from "../support/server";

let server: ConsoleServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  server = await startConsoleServer();
  ({ browser, close: closeBrowser } = await launchBrowser());
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

describe("signing in and out", () => {
  it("signs in, keeps the session across a reload, and signs out", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await page.goto("/admin/");
    // Not signed in: the sign-in page, remembering where the user was going.
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    await expectAccessible(page, "the sign-in page");
    await page.getByLabel("Username").fill(server.admin.username);
    await page.getByLabel("Password", { exact: true }).fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/invalid|incorrect|wrong/i);

    await signIn(page, server.admin.username, server.admin.password);
    expect(new URL(page.url()).pathname).toBe("/admin/tasks");

    await page.reload();
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    await expect(page.getByText(server.admin.username, { exact: true }).count()).resolves.toBeGreaterThan(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    // The cookie is gone from the browser too.
    const cookies = await context.cookies(`${server.baseUrl}/api/auth/refresh`);
    expect(cookies.filter((c) => c.value !== "")).toEqual([]);
    await context.close();
  });

  it("signs in and moves between pages with the keyboard alone", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await page.goto("/admin/login");
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("autocomplete"))).toBe("username");
    await page.keyboard.type(server.admin.username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(server.admin.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    // Tab through the header and the navigation to the activity log, and follow it with Enter.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.textContent)) === "Activity log") break;
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Activity log" }).waitFor();
    await context.close();
  });

  it("keeps the refresh token where page scripts cannot read it: HttpOnly, SameSite=Strict, /api/auth only", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await signIn(page, server.admin.username, server.admin.password);
    const cookies = await context.cookies(`${server.baseUrl}/api/auth/refresh`);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
    expect(await page.evaluate(() => document.cookie)).toBe("");
    // Nor is the refresh token (or the access token) kept in the page's storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).toBe("{}");
    // The cookie is not sent to the task routes or to /trpc.
    const sent: string[] = [];
    const checks: Promise<void>[] = [];
    page.on("request", (req) => {
      if (!req.url().includes("/trpc/")) return;
      checks.push(
        req.allHeaders().then((headers) => {
          if (headers.cookie) sent.push(req.url());
        }),
      );
    });
    await page.reload();
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    // Every request's headers read before the page closes.
    await Promise.all(checks);
    expect(checks.length).toBeGreaterThan(0);
    expect(sent).toEqual([]);
    await context.close();
  });

  it("sends a deactivated user back to the sign-in page", async () => {
    await server.api("POST", "/api/users", {
      username: "leaver",
      password: "leaver-password-1",
      role: "INTERN",
    });
    const { context, page } = await newPage(browser, server.baseUrl);
    await signIn(page, "leaver", "leaver-password-1");
    const list = await server.api("GET", "/api/users?search=leaver");
    await server.api("PATCH", `/api/users/${list.body.results[0].id}`, { isActive: false });
    await page.getByRole("link", { name: "Activity log" }).click();
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    await expect(page.getByText("Your session has ended").count()).resolves.toBe(1);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Task Manager" }).waitFor();
    await context.close();
  });
});

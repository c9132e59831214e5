import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  choose,
  expectAccessible,
  fieldError,
  launchBrowser,
  newPage,
  rowsOf,
  screenshot,
  signIn,
} from "../support/browser";
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

/** A read-only Select: a click opens no list of choices. */
async function expectNoChoices(page: Page, label: string) {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await expect(page.getByRole("listbox").isVisible()).resolves.toBe(false);
}

const notification = (page: Page) => page.locator(".mantine-Notification-root").last();

describe("users (admin)", () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await newPage(browser, server.baseUrl));
    await signIn(page, server.admin.username, server.admin.password);
  });

  it("creates a user through the form, with the server's refusal on its field", async () => {
    await page.goto("/admin/users");
    await expectAccessible(page, "the users page");
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.getByRole("dialog", { name: "New user" });
    await dialog.getByLabel("Username").fill("admin");
    await dialog.getByRole("textbox", { name: "Password" }).fill("a-long-enough-password");
    await dialog.getByRole("button", { name: "Create user" }).click();
    // Taken: the server's 409 is shown, the dialog stays.
    await expect.poll(() => dialog.getByRole("alert").textContent()).toMatch(/taken|exists/i);
    await dialog.getByLabel("Username").fill("x");
    await dialog.getByRole("button", { name: "Create user" }).click();
    // The contract's own rule, before anything is sent.
    await expect.poll(() => dialog.getByText(/at least 3|Too small/i).count()).toBeGreaterThan(0);
    await dialog.getByLabel("Username").fill("olga");
    await dialog.getByLabel("Email").fill("olga@example.com");
    await dialog.getByRole("button", { name: "Create user" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect
      .poll(async () => (await rowsOf(page, "Users")).map((r) => r.slice(0, 2)))
      .toContainEqual(["olga", "olga@example.com"]);
  });

  it("searches, changes a role, deactivates and reactivates, resets a password", async () => {
    await page.goto("/admin/users");
    await page.getByLabel("Search").fill("olg");
    await expect.poll(async () => (await rowsOf(page, "Users")).map((r) => r[0])).toEqual(["olga"]);
    expect(new URL(page.url()).searchParams.get("search")).toBe("olg");

    await choose(page, "Role of olga", "Admin");
    await expect.poll(() => notification(page).textContent()).toMatch(/olga is now admin/);
    await page.getByRole("button", { name: "Deactivate olga" }).click();
    await expect.poll(async () => (await rowsOf(page, "Users"))[0]?.[3]).toBe("Deactivated");
    await page.getByRole("button", { name: "Reactivate olga" }).click();
    await expect.poll(async () => (await rowsOf(page, "Users"))[0]?.[3]).toBe("Active");

    await page.getByRole("button", { name: "Reset password of olga" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset the password of olga" });
    await dialog.getByLabel("New password", { exact: true }).fill("olga-new-password-9");
    await dialog.getByLabel("Repeat the new password").fill("olga-new-password-9");
    await expectAccessible(page, "the reset-password dialog");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await dialog.waitFor({ state: "hidden" });
    const login = await server.api("POST", "/api/auth/login", {
      username: "olga",
      password: "olga-new-password-9",
    });
    expect(login.status).toBe(200);
    await page.getByLabel("Search").fill("");
    await screenshot(page, "users");
  });

  it("shows the server's last-admin rule when the last admin would be demoted", async () => {
    // olga is an admin too (the test before); make her an intern again, so admin is the last one.
    await page.goto("/admin/users?search=olga");
    await choose(page, "Role of olga", "Intern");
    await expect.poll(() => notification(page).textContent()).toMatch(/olga is now intern/);
    await page.goto("/admin/users?search=admin");
    await choose(page, "Role of admin", "Intern");
    await expect
      .poll(() => notification(page).textContent())
      .toMatch(/Cannot demote or deactivate the last active admin/);
    const me = await server.api("GET", "/api/auth/me");
    expect(me.body.role).toBe("ADMIN");
  });

  it("lets every user change their own email and password", async () => {
    await page.goto("/admin/profile");
    await expectAccessible(page, "the profile page");
    await page.getByLabel("Email").fill("not an email");
    await page.getByRole("button", { name: "Save email" }).click();
    // The server's refusal, on its field.
    await expect
      .poll(() => fieldError(page.getByRole("textbox", { name: "Email" })))
      .toMatch(/invalid email/i);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByRole("button", { name: "Save email" }).click();
    await expect
      .poll(async () => (await server.api("GET", "/api/auth/me")).body.email)
      .toBe("admin@example.com");
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill("another-admin-password-7");
    await page.getByLabel("Repeat the new password").fill("another-admin-password-7");
    await page.getByRole("button", { name: "Change password" }).click();
    // The server's refusal, on the current password's field.
    await expect
      .poll(() => fieldError(page.getByRole("textbox", { name: "Current password" })))
      .toMatch(/does not match/i);
    await screenshot(page, "profile");
  });
});

describe("an intern's console", () => {
  let page: Page;
  let mine: string;
  let assigned: string;
  beforeAll(async () => {
    const ivy = await server.api("POST", "/api/users", {
      username: "ivy",
      password: "ivy-password-1",
      role: "INTERN",
    });
    const ivyLogin = await server.api("POST", "/api/auth/login", {
      username: "ivy",
      password: "ivy-password-1",
    });
    mine = (await server.api("POST", "/api/tasks", { title: "Ivy's own task" }, ivyLogin.body.access)).body
      .id;
    assigned = (await server.api("POST", "/api/tasks", { title: "Given to Ivy", assigneeId: ivy.body.id }))
      .body.id;
    await server.api("POST", "/api/tasks", { title: "Not for Ivy" });
    ({ page } = await newPage(browser, server.baseUrl));
    await signIn(page, "ivy", "ivy-password-1");
  });

  it("shows only the intern's tasks, and no users or operations pages", async () => {
    await expect
      .poll(async () => (await rowsOf(page, "Tasks")).map((r) => r[0]).sort())
      .toEqual(["Given to Ivy", "Ivy's own task"]);
    await expect(page.getByRole("link", { name: "Users" }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "Operations" }).count()).resolves.toBe(0);
    await page.goto("/admin/users");
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    await page.goto("/admin/operations");
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    await expectAccessible(page, "an intern's tasks page");
    await screenshot(page, "intern-tasks");
  });

  it("shows the fields an intern may not change read-only, and no delete", async () => {
    await page.goto(`/admin/tasks/${assigned}`);
    await page.getByRole("heading", { name: "Given to Ivy" }).waitFor();
    await expect(page.getByRole("button", { name: "Delete" }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Edit" }).click();
    // Someone else's task: only its status.
    await expect(
      page.getByRole("textbox", { name: "Title" }).getAttribute("readonly"),
    ).resolves.not.toBeNull();
    await expectNoChoices(page, "Assignee");
    await expectNoChoices(page, "Priority");
    await choose(page, "Status", "Completed");
    await page.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.getByLabel("History").textContent())
      .toMatch(/ivy changed status.*In progress|Pending → Completed/);

    // Their own task: its details too, but never the assignee.
    await page.goto(`/admin/tasks/${mine}`);
    await page.getByRole("button", { name: "Edit" }).click();
    await expect(page.getByRole("textbox", { name: "Title" }).getAttribute("readonly")).resolves.toBeNull();
    await expectNoChoices(page, "Assignee");
    await expectAccessible(page, "an intern's edit form");
  });

  it("cannot open a task that is not theirs", async () => {
    const all = await server.api("GET", "/api/tasks?search=Not%20for%20Ivy");
    await page.goto(`/admin/tasks/${all.body.results[0].id}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not found/i);
  });
});

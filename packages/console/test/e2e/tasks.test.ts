import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  choose,
  expectAccessible,
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
let page: Page;
let intern: { id: string; username: string; password: string };

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

beforeAll(async () => {
  server = await startConsoleServer();
  ({ browser, close: closeBrowser } = await launchBrowser());
  const created = await server.api("POST", "/api/users", {
    username: "ivy",
    password: "ivy-password-1",
    role: "INTERN",
  });
  intern = { id: created.body.id, username: "ivy", password: "ivy-password-1" };
  // 25 tasks: a page of 10 leaves three pages.
  for (let i = 1; i <= 25; i++) {
    const res = await server.api("POST", "/api/tasks", {
      title: `Task ${String(i).padStart(2, "0")}`,
      description: i === 7 ? "needle in the haystack" : "",
      priority: i % 3 === 0 ? "HIGH" : i % 3 === 1 ? "LOW" : "MEDIUM",
      status: i % 5 === 0 ? "IN_PROGRESS" : "PENDING",
      dueDate: inDays(i),
      assigneeId: i <= 4 ? intern.id : null,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  }
  ({ page } = await newPage(browser, server.baseUrl));
  await signIn(page, server.admin.username, server.admin.password);
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const tasksTable = () => rowsOf(page, "Tasks");
const shown = () => page.getByText(/^\d+–\d+ of \d+$|^No tasks$/).textContent();

describe("the tasks page", () => {
  it("lists tasks with the exact count and pages by cursor", async () => {
    await page.goto("/admin/tasks");
    await expect.poll(shown).toBe("1–20 of 25");
    await expectAccessible(page, "the tasks page");
    await screenshot(page, "tasks");
    await choose(page, "Page size", "10");
    await expect.poll(shown).toBe("1–10 of 25");
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(shown).toBe("11–20 of 25");
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(shown).toBe("21–25 of 25");
    await expect(page.getByRole("button", { name: "Next page" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Previous page" }).click();
    await expect.poll(shown).toBe("11–20 of 25");
  });

  it("keeps filters and the ordering in the URL, and restores them from it", async () => {
    await page.goto("/admin/tasks");
    await choose(page, "Status", "In progress");
    await expect.poll(shown).toBe("1–5 of 5");
    await choose(page, "Priority", "High");
    // Tasks 15 and 30 would be both; of 1..25, 15 is the one in progress and high.
    await expect.poll(shown).toBe("1–1 of 1");
    const url = new URL(page.url());
    expect(JSON.parse(url.searchParams.get("status")!)).toEqual(["IN_PROGRESS"]);
    expect(JSON.parse(url.searchParams.get("priority")!)).toEqual(["HIGH"]);

    // Sorting by a column's header: title ascending, then descending.
    await page.goto("/admin/tasks?status=%5B%22IN_PROGRESS%22%5D");
    await expect.poll(shown).toBe("1–5 of 5");
    await page.getByRole("button", { name: /^Title/ }).click();
    await expect
      .poll(async () => (await tasksTable()).map((r) => r[0]))
      .toEqual(["Task 05", "Task 10", "Task 15", "Task 20", "Task 25"]);
    await page.getByRole("button", { name: /^Title/ }).click();
    await expect.poll(async () => (await tasksTable())[0]?.[0]).toBe("Task 25");
    const shared = page.url();
    expect(JSON.parse(new URL(shared).searchParams.get("ordering")!)).toEqual(["-title"]);

    // The link, opened afresh, shows the same list with its filters filled in.
    const other = await newPage(browser, server.baseUrl);
    await signIn(other.page, server.admin.username, server.admin.password);
    await other.page.goto(shared);
    await expect
      .poll(async () => (await rowsOf(other.page, "Tasks")).map((r) => r[0]))
      .toEqual(["Task 25", "Task 20", "Task 15", "Task 10", "Task 05"]);
    await expect(other.page.getByText("In progress", { exact: true }).first().isVisible()).resolves.toBe(
      true,
    );
    await other.context.close();

    // Search, by the description too.
    await page.goto("/admin/tasks");
    await page.getByLabel("Search").fill("NEEDLE");
    await expect.poll(async () => (await tasksTable()).map((r) => r[0])).toEqual(["Task 07"]);
    expect(new URL(page.url()).searchParams.get("search")).toBe("NEEDLE");
  });

  it("changes a status in one click", async () => {
    await page.goto("/admin/tasks?search=%22Task%2003%22");
    await expect.poll(async () => (await tasksTable())[0]?.[1]).toBe("Pending");
    await page.getByRole("button", { name: "Start: Task 03" }).click();
    await expect.poll(async () => (await tasksTable())[0]?.[1]).toBe("In progress");
  });

  it("creates a task through a form checked by the contract, errors on their fields", async () => {
    await page.goto("/admin/tasks");
    await page.getByRole("button", { name: "New task" }).click();
    const dialog = page.getByRole("dialog", { name: "New task" });
    await dialog.getByLabel("Title").fill("   ");
    await dialog.getByRole("button", { name: "Create task" }).click();
    // The contract's own message (TaskCreateInput), on the field.
    await expect(dialog.getByText(/at least 1 character|Too small/i).isVisible()).resolves.toBe(true);
    await expectAccessible(page, "the new-task dialog");
    await dialog.getByLabel("Title").fill("Write the release notes");
    await dialog.getByLabel("Description").fill("for 1.0");
    await choose(page, "Priority", "High", dialog);
    await dialog.getByRole("button", { name: "Create task" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByLabel("Search").fill("release notes");
    await expect
      .poll(async () => (await tasksTable()).map((r) => r.slice(0, 3)))
      .toEqual([["Write the release notes", "Pending", "High"]]);
  });
});

describe("a task's page", () => {
  async function openTask(title: string) {
    await page.goto(`/admin/tasks?search=${encodeURIComponent(JSON.stringify(title))}`);
    await page.getByRole("link", { name: title, exact: true }).click();
    await page.getByRole("heading", { name: title }).waitFor();
  }

  it("edits a task and shows the change in its history", async () => {
    await openTask("Task 08");
    await page.getByRole("button", { name: "Edit" }).click();
    await choose(page, "Priority", "High");
    await page.getByRole("button", { name: "Save" }).click();
    const history = page.getByLabel("History");
    await expect.poll(() => history.textContent()).toMatch(/admin changed priority.*Priority: Medium → High/);
    await expect.poll(() => history.textContent()).toMatch(/admin created the task/);
    await expectAccessible(page, "a task's page");
    await screenshot(page, "task");
  });

  it("meets a conflict: shows what changed, and can overwrite", async () => {
    await openTask("Task 09");
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByRole("textbox", { name: "Title" }).fill("Task 09 (mine)");
    // Meanwhile, someone else changes the task.
    const id = page.url().split("/").pop()!;
    expect(
      (await server.api("PATCH", `/api/tasks/${id}`, { title: "Task 09 (theirs)", priority: "LOW" })).status,
    ).toBe(200);
    await page.getByRole("button", { name: "Save" }).click();
    const dialog = page.getByRole("dialog", { name: "Someone else changed this task" });
    await dialog.waitFor();
    const rows = await rowsOf(page, "Changes");
    expect(rows).toEqual([
      ["Title", "Task 09 (theirs)", "Task 09 (mine)"],
      ["Priority", "Low", "(unchanged)"],
    ]);
    await expectAccessible(page, "the conflict dialog");
    await dialog.getByRole("button", { name: "Overwrite with my edits" }).click();
    await page.getByRole("heading", { name: "Task 09 (mine)" }).waitFor();
    const task = await server.api("GET", `/api/tasks/${id}`);
    expect(task.body).toMatchObject({ title: "Task 09 (mine)", priority: "LOW" });
  });

  it("meets a conflict: can reload and drop its edits", async () => {
    await openTask("Task 10");
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByRole("textbox", { name: "Title" }).fill("Task 10 (mine)");
    const id = page.url().split("/").pop()!;
    await server.api("PATCH", `/api/tasks/${id}`, { title: "Task 10 (theirs)" });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: "Reload and discard my edits" }).click();
    await expect
      .poll(() => page.getByRole("textbox", { name: "Title" }).inputValue())
      .toBe("Task 10 (theirs)");
    await page.getByRole("heading", { name: "Task 10 (theirs)" }).waitFor();
  });

  it("deletes a task after a confirmation", async () => {
    await openTask("Task 11");
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this task?" });
    await expectAccessible(page, "the delete confirmation");
    await dialog.getByRole("button", { name: "Delete task" }).click();
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    await page.getByLabel("Search").fill("Task 11");
    await expect.poll(shown).toBe("No tasks");
  });
});

describe("live updates", () => {
  it("a task created and changed elsewhere shows in the open table without a reload, and in the open history", async () => {
    await page.goto("/admin/tasks");
    await page.getByLabel("Search").fill("Made elsewhere");
    await expect.poll(shown).toBe("No tasks");
    const made = await server.api("POST", "/api/tasks", { title: "Made elsewhere" });
    expect(made.status).toBe(201);
    await expect.poll(shown, { timeout: 15_000 }).toBe("1–1 of 1");
    await page.goto(`/admin/tasks/${made.body.id}`);
    await page.getByRole("heading", { name: "Made elsewhere" }).waitFor();
    await server.api("PATCH", `/api/tasks/${made.body.id}`, { title: "Renamed elsewhere" });
    await page.getByRole("heading", { name: "Renamed elsewhere" }).waitFor({ timeout: 15_000 });
  });
});

describe("operations and the log", () => {
  it("runs the sweep from its button and the task's history shows the system's entry", async () => {
    const late = await server.api("POST", "/api/tasks", { title: "Late task", dueDate: inDays(-2) });
    expect(late.status).toBe(201);
    await page.goto("/admin/operations");
    await expectAccessible(page, "the operations page");
    await page.getByRole("button", { name: "Run the overdue sweep now" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/1 task marked overdue/);
    // The embedded default has no Redis, so no job queue: the console says what it needs.
    await page.getByRole("button", { name: "Open the queue dashboard" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/needs Redis: set REDIS_URL/);
    await screenshot(page, "operations");
    await page.goto(`/admin/tasks/${late.body.id}`);
    await expect
      .poll(() => page.getByLabel("History").textContent())
      .toMatch(/System marked the task overdue.*Status: Pending → Overdue/);
  });

  it("lists the activity log with its filters", async () => {
    await page.goto("/admin/log");
    await expect.poll(() => page.getByText(/^\d+ entr(y|ies)$/).textContent()).toMatch(/^\d+ entries$/);
    await expectAccessible(page, "the activity log");
    await choose(page, "Action", "Deleted");
    await expect
      .poll(async () => (await rowsOf(page, "Activity log")).map((r) => r.slice(1, 3)))
      .toEqual([["admin", "Deleted"]]);
    expect(JSON.parse(new URL(page.url()).searchParams.get("action")!)).toEqual(["DELETED"]);
    await page.goto("/admin/log?action=%5B%22MARKED_OVERDUE%22%5D");
    await expect
      .poll(async () => (await rowsOf(page, "Activity log")).map((r) => r.slice(1, 4)))
      .toEqual([["System", "Marked overdue", "Status: Pending → Overdue"]]);
    await page.goto("/admin/log");
    await screenshot(page, "log");
  });
});

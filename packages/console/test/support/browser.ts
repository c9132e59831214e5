import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

/**
 * Debian's Chromium, headless, with an empty profile (Playwright gives every launch a new temporary one); no
 * background networking (this machine's network is closed, and the console must need none).
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** A page of a new context (the axe scan needs one), on the server's origin. */
export async function newPage(
  browser: Browser,
  baseUrl: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/admin/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
}

/**
 * The page's serious and critical accessibility violations, by axe (none expected). Scanned once every
 * transition has ended: a dialog fading in has text at part opacity, which axe measures as low contrast.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState === "finished" || a.playState === "idle"),
  );
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

const SHOTS = resolve(import.meta.dirname, "../../../../docs/console");

/**
 * A screenshot of the page for the README (docs/console/NAME.png), once its content has settled (the tests wait
 * for what they show first). Not "networkidle": the console's event stream keeps a request open all along.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState("load");
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState === "finished" || a.playState === "idle"),
  );
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Picks an option of a Mantine Select or MultiSelect, found by its label (within `scope`, if given). */
export async function choose(
  page: Page,
  label: string,
  option: string,
  scope: Page | Locator = page,
): Promise<void> {
  await scope.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
  // A MultiSelect's list stays open for more choices; a Select's closes (and Escape would close a dialog).
  if (await page.getByRole("listbox").isVisible()) await page.keyboard.press("Escape");
}

/** The rows of a table (its header row left out), each as the text of its cells. */
export async function rowsOf(page: Page, table: string): Promise<string[][]> {
  const rows = page.getByRole("table", { name: table }).locator("tbody tr");
  return rows.evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())),
  );
}

/** The error a form field announces: the text of the elements its aria-describedby names. */
export function fieldError(field: Locator): Promise<string> {
  return field.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .map((id) => (id ? (document.getElementById(id)?.textContent ?? "") : ""))
      .join(" ")
      .trim(),
  );
}

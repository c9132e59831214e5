// The console's tasks page on a big database (run by `pnpm bench`): signs in as the admin, opens the list at 100
// tasks a page, then pages forward ROUNDS times. Each step is timed in the page: from the click to the 100 new
// rows painted (total), and from the list's answer arriving to the rows painted (render). Prints one JSON line.
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    username: { type: "string", default: "admin" },
    password: { type: "string" },
    rounds: { type: "string", default: "30" },
  },
});
if (!args.base || !args.password) throw new Error("--base and --password are required");

/**
 * Runs in the page: clicks "Next page" and resolves, once the 100 new rows are painted (the frame after they
 * changed), with the time from the click and from the list's answer arriving. A string, so that the bundler's
 * helpers (tsx names functions with `__name`) do not travel into the page.
 */
const NEXT_PAGE_TIMED = `new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error("the next page did not appear within 30 s")), 30000);
  const body = document.querySelector('table[aria-label="Tasks"] tbody');
  // The first row's link names its task: titles repeat (the bench's writes all make "bench task").
  const firstTask = () => body.querySelector("tr a[href]")?.getAttribute("href");
  const before = firstTask();
  performance.clearResourceTimings();
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (body.querySelectorAll("tr").length !== 100 || firstTask() === before) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => {
      const end = performance.now();
      const answer = performance.getEntriesByType("resource").filter((e) => e.name.includes("tasks.list")).at(-1);
      resolve({ total: end - start, render: end - (answer ? answer.responseEnd : start) });
    }));
  });
  observer.observe(body, { childList: true, subtree: true, characterData: true });
  [...document.querySelectorAll("button")].find((b) => b.textContent === "Next page").click();
})`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({ baseURL: args.base, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto("/admin/login");
  await page.getByLabel("Username").fill(args.username);
  await page.getByLabel("Password", { exact: true }).fill(args.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
  await page.goto("/admin/tasks?pageSize=100");
  await page.waitForFunction(
    () => document.querySelectorAll('table[aria-label="Tasks"] tbody tr').length === 100,
  );

  const samples: { total: number; render: number }[] = [];
  for (let i = 0; i < Number(args.rounds); i++) {
    samples.push(await page.evaluate<{ total: number; render: number }>(NEXT_PAGE_TIMED));
  }
  const at = (key: "total" | "render", q: number) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  };
  console.log(
    JSON.stringify({
      rounds: samples.length,
      totalP50: at("total", 0.5),
      totalP99: at("total", 0.99),
      renderP50: at("render", 0.5),
      renderP99: at("render", 0.99),
    }),
  );
} finally {
  await browser.close();
}

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sdkDir = resolve(import.meta.dirname, "..");
// A consumer's npm must see the machine's own npm configuration, not the npm_config_* that pnpm exports to
// scripts (pnpm points npm_config_globalconfig at its own rc, which drops settings such as a CA file).
const consumerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k)));
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...consumerEnv, npm_config_loglevel: "error" },
    timeout: 150_000,
  });

describe("the packed SDK, installed like a consumer would", () => {
  let scratch: string;
  let tarball: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "taskmgr-sdk-consumer-"));
    run("pnpm", ["pack", "--pack-destination", scratch], sdkDir);
    tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith(".tgz"))!);
    const project = join(scratch, "app");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { "@taskmgr/sdk": `file:${tarball}`, typescript: "5.9.3" },
      }),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
          skipLibCheck: false,
          lib: ["ES2023", "DOM", "ESNext.Disposable"],
        },
        include: ["consumer.ts"],
      }),
    );
    run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], project);
  }, 180_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("holds nothing but what a consumer needs", () => {
    const files = run("tar", ["tzf", tarball], scratch).trim().split("\n").sort();
    expect(files).toEqual([
      "package/LICENSE",
      "package/README.md",
      "package/dist/index.d.ts",
      "package/dist/index.js",
      "package/package.json",
    ]);
    const manifest = JSON.parse(run("tar", ["xzf", tarball, "-O", "package/package.json"], scratch));
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(manifest.dependencies["@trpc/server"]).toBe(manifest.dependencies["@trpc/client"]);
  });

  it("type-checks correct calls and rejects wrong ones, with no server source around", () => {
    const project = join(scratch, "app");
    writeFileSync(
      join(project, "consumer.ts"),
      `import { createClient, TaskManagerError, TASK_STATUSES, TaskCreateInput, type Task } from "@taskmgr/sdk";

const client = createClient({ baseUrl: "http://localhost:3000", onTokens: (t) => void t?.access });
export async function ok(): Promise<void> {
  await client.login("alice", "secret-password");
  const page = await client.tasks.list.query({ status: ["PENDING", "OVERDUE"], priority: ["HIGH"], ordering: "-dueDate", pageSize: 50 });
  const first: Task | undefined = page.results[0];
  const count: number = page.count;
  const created = await client.tasks.create.mutate({ title: "Write report", dueDate: "2026-12-01", priority: "LOW" });
  const title: string = created.title;
  await client.tasks.update.mutate({ id: created.id, status: "COMPLETED", version: created.version });
  const log = await client.tasks.logs.query({ taskId: created.id, action: ["UPDATED"] });
  const action: "CREATED" | "UPDATED" | "DELETED" | "MARKED_OVERDUE" = log.results[0]!.action;
  const me = await client.auth.me.query();
  const role: "ADMIN" | "INTERN" = me.role;
  const swept: number = (await client.admin.overdueSweep.mutate()).markedOverdue;
  const statuses: readonly string[] = TASK_STATUSES;
  for await (const t of client.tasks.iterate({ status: ["PENDING"] })) {
    const id: string = t.id;
    void id;
  }
  TaskCreateInput.parse({ title: "x" });
  void [first, count, title, action, role, swept, statuses];
  try {
    await client.tasks.get.query({ id: "x" });
  } catch (err) {
    if (err instanceof TaskManagerError) {
      const code: string = err.code;
      const status: number = err.status;
      const paths: string[] = err.issues.map((i) => i.path);
      void [code, status, paths];
    }
  }
}

export async function wrong(): Promise<void> {
  // @ts-expect-error a status that does not exist
  await client.tasks.list.query({ status: ["DONE"] });
  // @ts-expect-error OVERDUE is the system's: clients may not set it
  await client.tasks.create.mutate({ title: "x", status: "OVERDUE" });
  // @ts-expect-error title is required
  await client.tasks.create.mutate({ description: "no title" });
  // @ts-expect-error no such procedure
  await client.tasks.lst.query({});
  // @ts-expect-error iterate pages by cursor itself
  client.tasks.iterate({ page: 2 });
  // @ts-expect-error outputs are typed: a task has no "name"
  const name: string = (await client.tasks.get.query({ id: "x" })).name;
  void name;
}
`,
    );
    const result = (() => {
      try {
        return run(join(project, "node_modules/.bin/tsc"), ["-p", "."], project);
      } catch (err) {
        return `FAILED\n${(err as { stdout?: string }).stdout ?? ""}`;
      }
    })();
    expect(result).toBe("");
  });
});

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb, users } from "@taskmgr/db";
import { createTestDb, trackProcess } from "@taskmgr/db/testing";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createServices } from "../src/services";
import { testConfig, testLogger } from "./support/config";
import { spawnScript } from "./support/process";

// Each test waits on what it expects (a port logged, an exit); the timeout only guards against a hang, and is
// generous because a process starts slower on a machine whose other core is busy.
vi.setConfig({ testTimeout: 120_000 });

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "taskmgr-boot-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("bootstrap of the first admin", () => {
  it("in development, generates a password once for an empty database", async () => {
    const database = await createTestDb();
    try {
      const services = createServices({ config: testConfig(), database, logger: testLogger() });
      const first = await services.users.bootstrapAdmin({
        username: "admin",
        password: undefined,
        production: false,
      });
      expect(first.created).toBe(true);
      expect(first.generatedPassword).toMatch(/^[\w-]{16}$/);
      const second = await services.users.bootstrapAdmin({
        username: "admin",
        password: undefined,
        production: false,
      });
      expect(second).toEqual({ created: false });
      await services.users.login("admin", first.generatedPassword!, "127.0.0.1");
    } finally {
      await database.close();
    }
  });

  it("in production, refuses to invent a password", async () => {
    const database = await createTestDb();
    try {
      const services = createServices({ config: testConfig(), database, logger: testLogger() });
      await expect(
        services.users.bootstrapAdmin({ username: "admin", password: undefined, production: true }),
      ).rejects.toThrow(/ADMIN_PASSWORD/);
      const created = await services.users.bootstrapAdmin({
        username: "root",
        password: "from-the-env-1",
        production: true,
      });
      expect(created).toEqual({ created: true });
    } finally {
      await database.close();
    }
  });
});

describe("the server process", () => {
  it("starts on the embedded database, prints the generated admin password once, and keeps data and secret across restarts", async () => {
    const dataDir = tempDir();
    const first = spawnScript("src/main.ts", [], { DATA_DIR: dataDir, PORT: "0" });
    const port = await first.listening();
    const password = /password "([^"]+)"/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    expect(login.status).toBe(200);
    const { access } = (await login.json()) as { access: string };
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = spawnScript("src/main.ts", [], { DATA_DIR: dataDir, PORT: "0" });
    const port2 = await second.listening();
    expect(second.output()).not.toMatch(/First admin created/);
    // The same access token still works: the user survived and the generated JWT secret was kept.
    const me = await fetch(`http://127.0.0.1:${port2}/api/auth/me`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(me.status).toBe(200);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("in production, exits 1 naming JWT_SECRET when it is missing", async () => {
    const run = spawnScript("src/main.ts", [], {
      NODE_ENV: "production",
      DATA_DIR: tempDir(),
      JWT_SECRET: "",
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/JWT_SECRET/);
  });

  it("in production, exits 1 when an empty database has no ADMIN_PASSWORD", async () => {
    const run = spawnScript("src/main.ts", [], {
      NODE_ENV: "production",
      DATA_DIR: tempDir(),
      JWT_SECRET: "s".repeat(40),
      PORT: "0",
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/ADMIN_PASSWORD/);
  });

  it("lists every invalid variable at once", async () => {
    const run = spawnScript("src/main.ts", [], {
      PORT: "http",
      ACCESS_TOKEN_TTL: "soon",
      DATA_DIR: tempDir(),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/PORT/);
    expect(run.output()).toMatch(/ACCESS_TOKEN_TTL/);
  });
});

describe("pnpm cli createsuperuser", () => {
  it("creates an admin from flags without prompting, and refuses a taken username", async () => {
    const dataDir = tempDir();
    const args = ["createsuperuser", "--username", "boss", "--email", "boss@example.com", "--no-input"];
    const ok = spawnScript("src/cli.ts", args, {
      DATA_DIR: dataDir,
      TASKMGR_SUPERUSER_PASSWORD: "boss-password",
    });
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/Superuser "boss" created/);
    const again = spawnScript("src/cli.ts", args, {
      DATA_DIR: dataDir,
      TASKMGR_SUPERUSER_PASSWORD: "boss-password",
    });
    expect(await again.exited).toBe(1);
    expect(again.output()).toMatch(/already taken/);
    const invalid = spawnScript("src/cli.ts", ["createsuperuser", "--username", "x", "--no-input"], {
      DATA_DIR: dataDir,
    });
    expect(await invalid.exited).toBe(2);
    expect(invalid.output()).toMatch(/username/);

    const database = await createDb({ dataDir });
    try {
      const [row] = await database.db.select().from(users).where(eq(users.username, "boss"));
      expect(row).toMatchObject({ role: "ADMIN", email: "boss@example.com", isActive: true });
    } finally {
      await database.close();
    }
  });
});

describe("pnpm cli: help, changepassword, prompts", () => {
  it("--help lists the commands and exits 0; a wrong command exits 2", async () => {
    const help = spawnScript("src/cli.ts", ["--help"], {});
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(/createsuperuser/);
    expect(help.output()).toMatch(/changepassword \[options\] <username>/);
    const wrong = spawnScript("src/cli.ts", ["makecoffee"], {});
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toMatch(/unknown command 'makecoffee'/);
  });

  it("changepassword sets a user's password; an unknown user is 1, a missing password 2 with the usage", async () => {
    const dataDir = tempDir();
    const create = spawnScript("src/cli.ts", ["createsuperuser", "--username", "boss", "--no-input"], {
      DATA_DIR: dataDir,
      TASKMGR_SUPERUSER_PASSWORD: "boss-password",
    });
    expect(await create.exited).toBe(0);
    const missing = spawnScript("src/cli.ts", ["changepassword", "boss", "--no-input"], {
      DATA_DIR: dataDir,
    });
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toMatch(/password: required/);
    expect(missing.output()).toMatch(/Usage: pnpm cli changepassword/);
    const unknown = spawnScript("src/cli.ts", ["changepassword", "nobody", "--password", "whatever-long-1"], {
      DATA_DIR: dataDir,
    });
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/No user "nobody"/);
    const changed = spawnScript("src/cli.ts", ["changepassword", "boss", "--no-input"], {
      DATA_DIR: dataDir,
      TASKMGR_SUPERUSER_PASSWORD: "a-brand-new-password-7",
    });
    expect(await changed.exited).toBe(0);
    expect(changed.output()).toMatch(/Password of "boss" changed/);

    const database = await createDb({ dataDir });
    try {
      const services = createServices({ config: testConfig(), database, logger: testLogger() });
      await expect(services.users.login("boss", "boss-password", "127.0.0.1")).rejects.toThrow();
      await expect(
        services.users.login("boss", "a-brand-new-password-7", "127.0.0.1"),
      ).resolves.toMatchObject({
        access: expect.any(String),
      });
    } finally {
      await database.close();
    }
  });

  it("on a terminal, asks for what is missing, the password hidden and twice", async () => {
    const dataDir = tempDir();
    // util-linux's script(1) gives the CLI a terminal and passes our writes to it as keystrokes.
    const child = spawn("script", ["-qec", `${process.execPath} dist/cli.js createsuperuser`, "/dev/null"], {
      cwd: resolve(import.meta.dirname, ".."),
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", TEST_DATABASE_URL: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    trackProcess(child);
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    const answer = async (prompt: RegExp, keys: string) => {
      await vi.waitFor(() => expect(out).toMatch(prompt), { timeout: 60_000, interval: 50 });
      out = out.replace(prompt, "(answered)");
      child.stdin!.write(keys);
    };
    await answer(/Username:/, "termboss\r");
    await answer(/Email \(optional\):/, "\r");
    await answer(/Password:/, "terminal-secret-9\r");
    await answer(/Password \(again\):/, "terminal-secret-9\r");
    await vi.waitFor(() => expect(out).toMatch(/Superuser "termboss" created/), {
      timeout: 60_000,
      interval: 50,
    });
    expect(out).not.toMatch(/terminal-secret-9/);
    expect(out).toMatch(/\*{8,}/);
    child.stdin!.end();
    expect(await exited).toBe(0);
  });
});

describe("one process per embedded database", () => {
  it("refuses the CLI while the server holds the data directory, saying why; after the server stops, it works", async () => {
    const dataDir = tempDir();
    const server = spawnScript("src/main.ts", [], {
      DATA_DIR: dataDir,
      PORT: "0",
      ADMIN_PASSWORD: "first-admin-pw",
    });
    await server.listening();
    const args = ["createsuperuser", "--username", "boss", "--no-input"];
    const env = { DATA_DIR: dataDir, TASKMGR_SUPERUSER_PASSWORD: "boss-password" };
    const refused = spawnScript("src/cli.ts", args, env);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(new RegExp(`open in another process \\(pid ${server.child.pid}\\)`));
    expect(refused.output()).not.toMatch(/\n\s+at /); // one message, no stack
    expect(refused.output()).not.toMatch(/created/);

    // A second server is refused the same way, and the first keeps serving.
    const second = spawnScript("src/main.ts", [], { DATA_DIR: dataDir, PORT: "0" });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/open in another process/);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const ok = spawnScript("src/cli.ts", args, env);
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/Superuser "boss" created/);
  });

  it("refuses to run a separate worker on the embedded database, saying why", async () => {
    const worker = spawnScript("src/worker-main.ts", [], { DATA_DIR: tempDir() });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/DATABASE_URL: required for a separate worker/);
  });
});

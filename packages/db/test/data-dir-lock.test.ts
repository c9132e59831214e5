import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb, DataDirInUseError } from "@taskmgr/db";
import { trackProcess } from "@taskmgr/db/testing";
import { afterEach, describe, expect, it } from "vitest";

// PGlite serves one process per directory (two lose rows silently): the second opener is refused, by name.
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pglite-lock-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function holdInAnotherProcess(dataDir: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@taskmgr/source", "test/fixtures/hold-data-dir.ts"],
    {
      cwd: resolve(import.meta.dirname, ".."),
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  trackProcess(child);
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const open = new Promise<void>((res, rej) => {
    const timer = setInterval(() => {
      if (out.includes("open")) {
        clearInterval(timer);
        res();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        rej(new Error(`the holder exited: ${out}`));
      }
    }, 50);
  });
  const exited = new Promise((r) => child.once("exit", r));
  return { child, open, exited };
}

describe("one process per embedded database", () => {
  it("refuses a second opener in the same process until the first closes", async () => {
    const dir = tempDir();
    const first = await createDb({ dataDir: dir });
    const second = createDb({ dataDir: dir });
    await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(second).rejects.toThrow(new RegExp(`open in another process \\(pid ${process.pid}\\)`));
    await first.close();
    const third = await createDb({ dataDir: dir });
    await third.ping();
    await third.close();
  });

  it("refuses an opener while another process holds the directory, naming it; a killed holder frees it at once", async () => {
    const dir = tempDir();
    const holder = holdInAnotherProcess(dir);
    await holder.open;
    const refused = createDb({ dataDir: dir });
    await expect(refused).rejects.toThrow(new RegExp(`pid ${holder.child.pid}\\b.*DATABASE_URL`));
    holder.child.kill("SIGKILL");
    await holder.exited;
    const after = await createDb({ dataDir: dir });
    await after.ping();
    await after.close();
  });

  it("survives a client of its lock socket that hangs up rudely, and keeps the lock", async () => {
    const dir = tempDir();
    const held = await createDb({ dataDir: dir });
    const address = `\0taskmgr-pglite-${createHash("sha256").update(realpathSync(dir)).digest("hex").slice(0, 40)}`;
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((done) => {
        const socket = createConnection(address, () => {
          socket.write("x".repeat(65536));
          socket.destroy();
          done();
        });
        socket.on("error", () => done());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    await expect(createDb({ dataDir: dir })).rejects.toBeInstanceOf(DataDirInUseError);
    await held.ping();
    await held.close();
  });

  it("keeps separate directories apart", async () => {
    const a = await createDb({ dataDir: tempDir() });
    const b = await createDb({ dataDir: tempDir() });
    await Promise.all([a.ping(), b.ping()]);
    await Promise.all([a.close(), b.close()]);
  });
});

import { createHash } from "node:crypto";
import { realpathSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";

/** Another process has the embedded database's directory open. */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

/**
 * Holds an embedded database's directory for this process. PGlite has no lock of its own: two processes on one
 * directory lose committed rows without an error, and two first opens at once corrupt it. A file lock can be
 * taken over from a live holder whose event loop is busy (as during WASM work), so the lock is a listening Unix
 * socket named after the directory: the kernel frees it the moment its process ends, however it ends. On
 * Linux the socket is abstract (no file); elsewhere it is a file in the directory, and a file nobody answers on
 * is a dead holder's, removed. The holder answers a connection with its pid, for the refusal's message.
 */
export async function lockDataDir(dir: string): Promise<{ release(): Promise<void> }> {
  const real = realpathSync(dir);
  const address =
    process.platform === "linux"
      ? `\0taskmgr-pglite-${createHash("sha256").update(real).digest("hex").slice(0, 40)}`
      : join(real, ".pglite-lock.sock");
  const server = createServer((socket) => socket.end(`${process.pid}\n`));
  try {
    await listen(server, address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const holder = await holderOf(address);
    if (holder === null && process.platform !== "linux") {
      unlinkSync(address);
      await listen(server, address);
    } else {
      throw new DataDirInUseError(
        `The embedded database in ${real} is open in another process${holder ? ` (pid ${holder})` : ""}. ` +
          "PGlite serves one process at a time: stop that process first (the CLI's commands work while the " +
          "server is stopped), or use DATABASE_URL with a PostgreSQL server, which any number of processes share.",
      );
    }
  }
  // The lock never keeps a process alive on its own.
  server.unref();
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The pid the holder answers with; null when nobody answers (a dead holder's socket file). */
function holderOf(address: string): Promise<string | null> {
  return new Promise((resolve) => {
    let answer = "";
    const socket = createConnection(address);
    socket.setTimeout(2000, () => socket.destroy());
    socket.on("data", (d) => {
      answer += d;
    });
    socket.on("end", () => resolve(answer.trim() || "unknown"));
    socket.on("error", () => resolve(null));
    socket.on("close", () => resolve(answer.trim() || null));
  });
}

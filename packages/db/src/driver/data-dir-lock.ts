import { createHash } from "node:crypto";
import { realpathSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
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
  // Anyone on the machine may connect: a client that hangs up early must not crash this process, and one that
  // never hangs up must not keep the lock from being released.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setTimeout(1000, () => socket.destroy());
    socket.end(`${process.pid}\n`);
  });
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
  server.on("error", () => {});
  server.unref();
  return {
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
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

/**
 * The pid the holder answers with, "unknown" when it is slow to answer (a busy holder is still a holder), null
 * only when the connection is refused or the socket file is gone (a dead holder's file).
 */
function holderOf(address: string): Promise<string | null> {
  return new Promise((resolve) => {
    let answer = "";
    const socket = createConnection(address);
    socket.setTimeout(2000, () => {
      resolve(answer.trim() || "unknown");
      socket.destroy();
    });
    socket.on("data", (d) => {
      answer += d;
    });
    socket.on("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "ECONNREFUSED" || err.code === "ENOENT" ? null : "unknown"),
    );
    socket.on("close", () => resolve(answer.trim() || "unknown"));
  });
}

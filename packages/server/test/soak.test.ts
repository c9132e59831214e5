import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDb, skipWithoutPostgres, type TestDatabase } from "@taskmgr/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageNodeOptions } from "../bench/image";
import { runSoak } from "../bench/soak";
import { type Spawned, spawnScript } from "./support/process";

// The soak at CI length (SOAK_SECONDS, default 8 s) against the server as its own process on the real
// PostgreSQL; `pnpm soak` runs the full 60 s. See the README's Security section for the figures.
const SECONDS = Number(process.env.SOAK_SECONDS ?? 8);
const ADMIN_PASSWORD = "soak-admin-password";

// The audit reads the server process's database from here, so both need the same PostgreSQL (PGlite is one
// process's): skipped without one, except under CI, where createTestDb("postgres") fails naming DATABASE_URL.
const skip = skipWithoutPostgres();

describe.skipIf(skip)("the soak", () => {
  let database: TestDatabase;
  let dataDir: string;
  let server: Spawned;
  let base: string;
  let serverPid: number;
  beforeAll(async () => {
    database = await createTestDb("postgres");
    dataDir = mkdtempSync(join(tmpdir(), "taskmgr-soak-"));
    server = spawnScript("src/main.ts", [], {
      DATA_DIR: dataDir,
      PORT: "0",
      RUN_WORKER: "false",
      ADMIN_PASSWORD,
      NODE_OPTIONS: imageNodeOptions, // memory is judged under the image's heap bounds
      DATABASE_URL: database.url!,
      // The soak's users call far more often than people do; the per-user concurrency stays at its default.
      RATE_LIMIT_CALLS: "1000000",
    });
    base = `http://127.0.0.1:${await server.listening()}`;
    // The server's own pid from its log (the spawned tsx launcher runs it as a child process).
    serverPid = Number(/"pid":(\d+)/.exec(server.output())?.[1]);
  }, 60_000);
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`mixes every operation from 64 connections for ${SECONDS} s: no 5xx, nothing lost, memory steady`, async () => {
    const report = await runSoak({
      base,
      database,
      seconds: SECONDS,
      connections: 64,
      pid: serverPid,
      adminPassword: ADMIN_PASSWORD,
    });
    console.log(JSON.stringify({ ...report, logMismatches: report.logMismatches.length }));
    expect(report.serverErrors).toBe(0);
    expect(report.networkErrors).toBe(0);
    expect(report.logMismatches).toEqual([]);
    expect(report.requests).toBeGreaterThan(SECONDS * 50);
    expect(report.tasksDeleted).toBeGreaterThan(0);
    const half = Math.floor(report.rssMb.length / 2);
    expect(half).toBeGreaterThan(1);
    const early = Math.max(...report.rssMb.slice(0, half));
    const late = Math.max(...report.rssMb.slice(half));
    expect(late, `RSS over time: ${report.rssMb.join(", ")} MB`).toBeLessThan(early * 1.3 + 30);
  }, 120_000);

  it(`with a hostile intern mixed in for ${SECONDS} s: the others are served, no 5xx, memory bounded`, async () => {
    // A second server on the same database, with every limit at its default.
    const guarded = spawnScript("src/main.ts", [], {
      DATA_DIR: dataDir,
      PORT: "0",
      RUN_WORKER: "false",
      ADMIN_PASSWORD,
      NODE_OPTIONS: imageNodeOptions,
      DATABASE_URL: database.url!,
    });
    try {
      const base = `http://127.0.0.1:${await guarded.listening()}`;
      const pid = Number(/"pid":(\d+)/.exec(guarded.output())?.[1]);
      const report = await runSoak({
        base,
        database,
        seconds: SECONDS,
        connections: 16,
        pid,
        adminPassword: ADMIN_PASSWORD,
        hostile: true,
      });
      console.log(
        JSON.stringify({
          ...report,
          logMismatches: report.logMismatches.length,
          rssMb: report.rssMb.join(","),
        }),
      );
      expect(report.serverErrors).toBe(0);
      expect(report.networkErrors).toBe(0);
      expect(report.logMismatches).toEqual([]);
      // The hostile client was heard and turned away in each of the ways it tried, and never got a 5xx.
      const hostile = report.hostileByStatus;
      expect(Object.keys(hostile).filter((s) => s === "network" || Number(s) >= 500)).toEqual([]);
      expect(hostile["200"] ?? 0).toBeGreaterThan(0);
      expect(hostile["400"] ?? 0).toBeGreaterThan(0);
      expect(report.requests).toBeGreaterThan(SECONDS * 20);
      // The process is alive and answers at once.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      // Under the image's heap bound: what the answers of a batch may hold is bounded, so RSS stays bounded too.
      expect(Math.max(...report.rssMb)).toBeLessThan(400);
    } finally {
      guarded.child.kill("SIGTERM");
      await guarded.exited;
    }
  }, 120_000);
});

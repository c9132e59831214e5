import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../../..");
// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
const compose: any = parse(readFileSync(resolve(root, "docker-compose.yml"), "utf8"), { merge: true });
const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");

describe("docker-compose.yml", () => {
  it("has the five services", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      "migrate",
      "postgres",
      "redis",
      "server",
      "worker",
    ]);
  });

  it("runs PostgreSQL 17 and Redis 7 with volumes, persistence and health checks", () => {
    const { postgres, redis } = compose.services;
    expect(postgres.image).toBe("postgres:17");
    expect(postgres.volumes[0]).toMatch(/^pgdata:/);
    expect(postgres.healthcheck.test.join(" ")).toMatch(/pg_isready/);
    expect(redis.image).toBe("redis:7");
    expect(redis.command).toEqual(
      expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]),
    );
    expect(redis.healthcheck.test).toContain("ping");
    expect(Object.keys(compose.volumes).sort()).toEqual(["pgdata", "redisdata"]);
  });

  it("migrates once, before the server and the worker start", () => {
    const { migrate, server, worker } = compose.services;
    expect(migrate.command).toEqual(["node", "dist/migrate.js"]);
    expect(migrate.restart).toBe("no");
    expect(migrate.depends_on.postgres.condition).toBe("service_healthy");
    for (const service of [server, worker]) {
      expect(service.depends_on).toEqual({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
        migrate: { condition: "service_completed_successfully" },
      });
    }
  });

  it("runs the server without the in-process worker, and the worker on its own entry point", () => {
    const { server, worker } = compose.services;
    expect(server.command).toEqual(["node", "dist/main.js"]);
    expect(server.environment.RUN_WORKER).toBe("false");
    expect(worker.command).toEqual(["node", "dist/worker.js"]);
    expect(server.environment.REDIS_URL).toBe("redis://redis:6379");
    expect(worker.environment.REDIS_URL).toBe("redis://redis:6379");
  });

  it("requires JWT_SECRET, ADMIN_PASSWORD and POSTGRES_PASSWORD from .env, never defaulted", () => {
    const { server } = compose.services;
    expect(server.environment.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(server.environment.ADMIN_PASSWORD).toMatch(/^\$\{ADMIN_PASSWORD:\?/);
    expect(compose.services.postgres.environment.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    const example = readFileSync(resolve(root, ".env.example"), "utf8");
    for (const name of ["JWT_SECRET", "ADMIN_PASSWORD", "POSTGRES_PASSWORD"])
      expect(example).toMatch(new RegExp(`^${name}=$`, "m"));
  });

  it("publishes a port range so the server can be scaled", () => {
    expect(compose.services.server.ports[0]).toMatch(/-\d+}?:3000$/);
  });
});

describe("Dockerfile", () => {
  it("builds in stages on Node 24 slim and runs compiled JavaScript as a non-root user", () => {
    expect(dockerfile.match(/^FROM node:24-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/pnpm --filter @taskmgr\/server deploy --prod/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main.js"\]$/m);
    expect(dockerfile).not.toMatch(/tsx|ts-node/);
  });

  it("copies the patches pnpm applies before it installs", () => {
    const workspace = parse(readFileSync(resolve(root, "pnpm-workspace.yaml"), "utf8")) as {
      patchedDependencies?: Record<string, string>;
    };
    const patches = Object.values(workspace.patchedDependencies ?? {});
    expect(patches.length).toBeGreaterThan(0);
    const install = dockerfile.indexOf("pnpm install --frozen-lockfile");
    const copied = /^COPY patches patches$/m.exec(dockerfile);
    expect(copied && copied.index < install).toBe(true);
    for (const patch of patches) expect(patch).toMatch(/^patches\//);
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

describe("OpenAPI document and docs", () => {
  let h: Harness;
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
  let doc: any;
  beforeAll(async () => {
    h = await startHarness();
    const res = await h.rest("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => h?.close());

  it("is a valid OpenAPI 3 document (checked by a real validator)", async () => {
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(doc.openapi).toMatch(/^3\./);
  });

  it("passes Redocly's lint with the recommended rules, warnings included", () => {
    const dir = mkdtempSync(join(tmpdir(), "openapi-"));
    try {
      const file = join(dir, "openapi.json");
      writeFileSync(file, JSON.stringify(doc));
      const redocly = resolve(import.meta.dirname, "../node_modules/.bin/redocly");
      const out = execFileSync(redocly, ["lint", "--extends=recommended", "--format=json", file], {
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      });
      const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: unknown[] };
      expect(report.totals, JSON.stringify(report.problems, null, 1)).toEqual(
        expect.objectContaining({ errors: 0, warnings: 0 }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists every status each operation can answer, says which need no token, and names its components", () => {
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses("post", "/auth/login")).toEqual(expect.arrayContaining(["401", "429"]));
    expect(statuses("post", "/auth/refresh")).toContain("401");
    for (const [method, path] of [
      ["patch", "/tasks/{id}"],
      ["post", "/users"],
      ["patch", "/users/{id}"],
    ]) {
      expect(statuses(method!, path!), `${method} ${path}`).toContain("409");
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) {
        const all = statuses(method, path);
        expect(all, `${method} ${path}`).toEqual(expect.arrayContaining(["400", "414", "429", "500", "503"]));
        if (method === "post" || method === "patch") {
          expect(all, `${method} ${path}`).toEqual(expect.arrayContaining(["413", "415"]));
        }
      }
    }
    expect(doc.paths["/auth/login"].post.security).toEqual([]);
    expect(doc.paths["/auth/refresh"].post.security).toEqual([]);
    expect(doc.info.license.name).toBe("MIT");
    for (const name of Object.keys(doc.components.schemas)) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    const due = doc.components.schemas.Task
      ? doc.paths["/tasks"].post.requestBody.content["application/json"].schema.properties.dueDate
      : null;
    expect(JSON.stringify(due)).toMatch(/"format":"date-time"/);
    expect(JSON.stringify(due)).toMatch(/"format":"date"/);
  });

  it("describes every route of the REST facade", () => {
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "POST /auth/login",
        "POST /auth/refresh",
        "POST /auth/logout",
        "GET /auth/me",
        "GET /tasks",
        "POST /tasks",
        "GET /tasks/{id}",
        "PATCH /tasks/{id}",
        "DELETE /tasks/{id}",
        "GET /tasks/logs",
        "GET /tasks/{id}/logs",
        "GET /users",
        "POST /users",
        "GET /users/{id}",
        "PATCH /users/{id}",
        "POST /admin/overdue-sweep",
        "GET /api-keys",
        "POST /api-keys",
        "DELETE /api-keys/{id}",
        "POST /tasks/bulk-update",
        "POST /tasks/bulk-delete",
        "GET /events",
      ].sort(),
    );
    expect(doc.servers[0].url).toBe("/api");
  });

  it("lists the Idempotency-Key header on every change, with its 409 and 422", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      type Op = { parameters?: { name: string }[]; responses: object };
      for (const [method, op] of Object.entries(item as Record<string, Op>)) {
        if (method === "get" || path.startsWith("/auth/login") || path.startsWith("/auth/refresh")) continue;
        const header = (op.parameters ?? []).find((p) => p.name === "Idempotency-Key");
        expect(header, `${method} ${path}`).toMatchObject({ in: "header", required: false });
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["409", "422"]),
        );
      }
    }
  });

  it("states the bearer scheme, the real success statuses and the error shape", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/tasks"].post.responses["201"]).toBeDefined();
    expect(doc.paths["/tasks"].post.responses["200"]).toBeUndefined();
    expect(doc.paths["/tasks/{id}"].delete.responses["204"]).toBeDefined();
    expect(doc.paths["/tasks/{id}"].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/auth/login"].post.security ?? []).toEqual([]);
    expect(doc.components.schemas.Error.required).toEqual(["message", "code", "requestId"]);
    expect(doc.paths["/tasks"].get.responses["400"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/Error",
    );
  });

  it("documents the refusals every operation may answer: the budget (429), unavailability (503), a non-JSON body (415)", () => {
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, { content: unknown }> }>>,
    )) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(["429", "503"]));
        if (method === "post" || method === "patch") expect(statuses, `${method} ${path}`).toContain("415");
        expect(op.responses["429"]!.content).toBeDefined();
      }
    }
  });

  it("documents the list query's parameters", () => {
    const names = doc.paths["/tasks"].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(
      [
        "assigneeId",
        "createdById",
        "cursor",
        "dueAfter",
        "dueBefore",
        "ordering",
        "page",
        "pageSize",
        "priority",
        "search",
        "status",
      ].sort(),
    );
  });

  it("serves an interactive reference at /docs", async () => {
    const res = await h.app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("/api/openapi.json");
  });
});

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
      ].sort(),
    );
    expect(doc.servers[0].url).toBe("/api");
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

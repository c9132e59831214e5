import { ERROR_CODES, ErrorBody } from "@taskmgr/db/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Harness, startHarness } from "./support/harness";

// One error contract (ErrorBody in @taskmgr/db/contracts): every door's errors parse with it, and the OpenAPI
// document's Error schema is generated from it.
describe("the error contract", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const strict = ErrorBody.strict();
  // On /trpc the same fields travel in tRPC's envelope: the message apart, the rest under data.
  const TrpcError = z.object({
    error: z.object({
      message: z.string(),
      code: z.number(),
      data: ErrorBody.omit({ message: true }).extend({
        httpStatus: z.number(),
        path: z.string().optional(),
      }),
    }),
  });

  it("every REST error, from a procedure or from the edge, is exactly an ErrorBody", async () => {
    const token = h.admin.access;
    const answers = [
      await h.rest("GET", "/api/tasks?status=DONE", { token }), // validation, issues
      await h.rest("GET", "/api/tasks"), // no token
      await h.rest("GET", "/api/tasks/00000000-0000-4000-8000-000000000000", { token }), // procedure 404
      await h.rest("GET", "/api/no-such-thing", { token }), // edge 404
      await h.rest("PUT", "/api/tasks", { token, body: {} }), // 405
      await h.rest("POST", "/api/tasks", {
        token,
        rawBody: "{",
        headers: { "content-type": "application/json" },
      }),
      await h.rest("POST", "/api/tasks", { token, rawBody: "x", headers: { "content-type": "text/plain" } }), // 415
      await h.rest("POST", "/api/tasks", { token, body: { title: "t", id: "x" } }), // unknown field
    ];
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      const parsed = strict.safeParse(res.body);
      expect(parsed.success, `${res.status} ${JSON.stringify(res.body)}`).toBe(true);
      expect(res.body.requestId).toBeTruthy();
    }
    expect(answers[0]!.body.issues[0].path).toBe("status");
  });

  it("every tRPC error carries the same fields in tRPC's envelope", async () => {
    const calls = [
      await h.app.request("/trpc/tasks.list?input=%7B%22status%22%3A%22DONE%22%7D", {
        headers: { authorization: `Bearer ${h.admin.access}` },
      }),
      await h.app.request("/trpc/tasks.list"),
      await h.app.request("/trpc/no.such.procedure", {
        headers: { authorization: `Bearer ${h.admin.access}` },
      }),
    ];
    for (const res of calls) {
      const body = await res.json();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(TrpcError.safeParse(body).success, JSON.stringify(body)).toBe(true);
    }
  });

  it("the OpenAPI document's Error schema is the contract's", async () => {
    const doc = (await h.rest("GET", "/api/openapi.json")).body;
    const schema = doc.components.schemas.Error;
    expect(Object.keys(schema.properties)).toEqual(Object.keys(ErrorBody.shape));
    expect(schema.required).toEqual(["message", "code", "requestId"]);
    expect(schema.properties.code.enum).toEqual([...ERROR_CODES]);
    expect(doc.components.schemas.FieldIssue.required).toEqual(["path", "message"]);
  });
});

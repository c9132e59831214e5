import { rowsOf } from "@taskmgr/db";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/router";
import { type Harness, startHarness, type TestUser } from "./support/harness";

// Property-based fuzzing of every operation in our own OpenAPI document, as ADMIN and as INTERN. Invariants:
// never a 5xx; every error is JSON with `message` and `code`; a refused write leaves no row behind; valid text
// round-trips exactly. The seed is fixed (FUZZ_SEED to change it) and fast-check prints it with any failure.
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 4000);

interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}
interface Param {
  in: "path" | "query" | "header";
  name: string;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  params: Param[];
  body: JsonSchema | null;
}

const HOSTILE_STRINGS = [
  "",
  " ",
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "1e309",
  "9007199254740993",
  "' OR 1=1 --",
  "'; drop table tasks; --",
  "%",
  "_",
  "%_\\",
  "\\",
  '{"a":',
  "]",
  "[]",
  "{}",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udc00",
  "\u202e",
  "😀",
  "\r\n",
  "\t",
  "2026-13-45",
  "2026-02-30T25:61:00Z",
  "yesterday",
  "00000000-0000-0000-0000-00000000000g",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "-createdAt,-createdAt",
  "PENDING,,",
  "true",
  "x".repeat(5000),
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);

const hostileJson = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), hostileString, { maxKeys: 2 }) },
);

describe("contract fuzzing", () => {
  let h: Harness;
  let intern: TestUser;
  let operations: Operation[];
  const taskIds: string[] = [];
  const userIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    intern = await h.makeUser("INTERN");
    for (let i = 0; i < 3; i++) userIds.push((await h.makeUser("INTERN")).id);
    for (let i = 0; i < 12; i++) {
      const owner = i % 2 ? intern : h.admin;
      const res = await h.rest("POST", "/api/tasks", {
        token: owner.access,
        body: { title: `fixture ${i}`, ...(i % 3 === 0 ? { assigneeId: userIds[0] } : {}) },
      });
      taskIds.push(res.body.id);
    }
    const doc = (await (await h.app.request("/api/openapi.json")).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: Param[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }
        >
      >;
    };
    // A stream's answer never ends: GET /events has its own tests of hostile parameters (events.test.ts).
    delete doc.paths["/events"];
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content["application/json"]?.schema ?? null,
      })),
    );
  }, 60_000);
  afterAll(() => h?.close());

  const uuid = () => fc.oneof(fc.constantFrom(...taskIds, ...userIds, intern.id), fc.uuid());

  /** A value the schema allows, or near it. */
  function valid(schema: JsonSchema): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.anyOf) return fc.oneof(...schema.anyOf.map(valid));
    switch (schema.type) {
      case "string":
        if (schema.format === "uuid") return uuid();
        if (schema.format === "date-time")
          return fc
            .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
            .map((d) => d.toISOString());
        return fc.string({
          minLength: schema.minLength ?? 0,
          maxLength: Math.min(schema.maxLength ?? 60, 60),
        });
      case "integer":
      case "number":
        return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 1000, 1000) });
      case "boolean":
        return fc.boolean();
      case "array":
        return fc.array(valid(schema.items ?? {}), { minLength: 1, maxLength: 3 });
      case "null":
        return fc.constant(null);
      default:
        return hostileJson;
    }
  }

  const asQueryValue = (v: unknown) => (Array.isArray(v) ? v.join(",") : String(v));
  /** A URL can carry no unpaired surrogate: send the bytes a careless client would (invalid UTF-8) instead. */
  const enc = (v: string) => {
    try {
      return encodeURIComponent(v);
    } catch {
      return `${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, ""))}%ED%A0%80`;
    }
  };

  function operationCase(op: Operation) {
    const pathParams = op.params.filter((p) => p.in === "path");
    const queryParams = op.params.filter((p) => p.in === "query");
    const pathValues = fc.record(
      Object.fromEntries(
        pathParams.map((p) => [
          p.name,
          fc.oneof({ weight: 3, arbitrary: uuid() }, { weight: 1, arbitrary: hostileString }),
        ]),
      ),
    );
    const queryPair = queryParams.length
      ? fc.oneof(
          ...queryParams.map((p) =>
            fc.tuple(fc.constant(p.name), fc.oneof(valid(p.schema).map(asQueryValue), hostileString)),
          ),
          fc.tuple(fc.string({ maxLength: 8 }), hostileString),
        )
      : fc.tuple(fc.string({ maxLength: 8 }), hostileString);
    // Duplicated keys come from drawing the same parameter twice.
    const query = fc.array(queryPair, { maxLength: 5 });
    const props = op.body?.properties ?? {};
    const record = fc.record(
      Object.fromEntries(
        Object.entries(props).map(([k, s]) => [
          k,
          fc.oneof({ weight: 3, arbitrary: valid(s) }, { weight: 2, arbitrary: hostileJson }),
        ]),
      ),
      { requiredKeys: [] },
    );
    const body = op.body
      ? fc.oneof(
          { weight: 8, arbitrary: record.map((r) => JSON.stringify(r)) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                record,
                fc.dictionary(fc.string({ maxLength: 8 }), hostileJson, { minKeys: 1, maxKeys: 2 }),
              )
              .map(([r, extra]) => JSON.stringify({ ...extra, ...r })),
          },
          { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.constantFrom('{"title": "x"', "", "[", "\u0000", "{}garbage") },
        )
      : fc.constant(undefined);
    // A header value is Latin-1 without controls (fetch refuses anything else before it is sent).
    const headerValue = fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 300,
      }),
      fc.constantFrom("", " ", "x".repeat(256), "é", "same-key"),
    );
    const headers = fc.record(
      Object.fromEntries(op.params.filter((p) => p.in === "header").map((p) => [p.name, headerValue])),
      { requiredKeys: [] },
    );
    return fc.record({
      op: fc.constant(op),
      actor: fc.constantFrom<"admin" | "intern">("admin", "intern"),
      path: pathValues,
      query,
      body,
      headers,
    });
  }

  async function rowCounts() {
    const [row] = rowsOf<Record<string, number>>(
      await h.database.db.execute(sql`select
        (select count(*)::int from tasks) as tasks,
        (select count(*)::int from users) as users,
        (select count(*)::int from activity_log) as log,
        (select count(*)::int from refresh_tokens) as tokens,
        (select count(*)::int from api_keys) as keys,
        (select count(*)::int from idempotency_keys) as answers`),
    );
    return row;
  }

  it("no input gets a 5xx or an error without message and code, and a refused write leaves nothing", async () => {
    console.log(`contract fuzzing: seed ${SEED}, ${RUNS} cases over ${operations.length} operations`);
    expect(operations.length).toBeGreaterThanOrEqual(15);
    const cases = fc.oneof(...operations.map(operationCase));
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        let url = `/api${c.op.path}`.replace(/\{(\w+)\}/g, (_, name: string) =>
          enc(String((c.path as Record<string, unknown>)[name])),
        );
        if (c.query.length) url += `?${c.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&")}`;
        const token = c.actor === "admin" ? h.admin.access : intern.access;
        const write = c.op.method !== "GET";
        const before = write ? await rowCounts() : null;
        const res = await h.app.request(url, {
          method: c.op.method,
          headers: {
            ...(c.headers as Record<string, string>),
            authorization: `Bearer ${token}`,
            ...(c.body !== undefined ? { "content-type": "application/json" } : {}),
          },
          ...(c.body !== undefined ? { body: c.body } : {}),
        });
        const text = await res.text();
        const where = `${c.op.method} ${url} ${JSON.stringify(c.headers)} ${c.body ?? ""}`.slice(0, 500);
        expect(res.status, `${where} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) {
          const body = JSON.parse(text) as { message?: unknown; code?: unknown };
          expect(typeof body.message, where).toBe("string");
          expect(typeof body.code, where).toBe("string");
          if (before) expect(await rowCounts(), `refused, yet rows changed: ${where}`).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);

  /** Every procedure with its type, and an arbitrary input for any of them: mostly the contract's own field names. */
  function trpcArbitraries() {
    const procedures = Object.entries(
      (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def
        .procedures,
    ).map(([name, p]) => ({ name, type: p._def.type }));
    expect(procedures.length).toBeGreaterThanOrEqual(15);
    const fieldNames = [
      ...new Set(
        operations.flatMap((o) => [...o.params.map((p) => p.name), ...Object.keys(o.body?.properties ?? {})]),
      ),
    ];
    const fieldValue = fc.oneof(
      uuid(),
      hostileJson,
      fc.constantFrom("PENDING", "HIGH", "ADMIN", "INTERN", 1, 20, true),
    );
    const input = fc.oneof(
      { weight: 1, arbitrary: hostileJson },
      {
        weight: 4,
        arbitrary: fc.dictionary(
          fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 8 })),
          fieldValue,
          {
            maxKeys: 5,
          },
        ),
      },
    );
    return { procedures, input };
  }

  it("the tRPC door holds the same invariants for every procedure", async () => {
    const { procedures, input } = trpcArbitraries();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...procedures),
        fc.constantFrom<"admin" | "intern">("admin", "intern"),
        fc.option(input, { nil: undefined }),
        async (proc, actor, value) => {
          const token = actor === "admin" ? h.admin.access : intern.access;
          const json = value === undefined ? undefined : JSON.stringify(value);
          const before = proc.type === "mutation" ? await rowCounts() : null;
          const res =
            proc.type === "query"
              ? await h.app.request(`/trpc/${proc.name}${json === undefined ? "" : `?input=${enc(json)}`}`, {
                  headers: { authorization: `Bearer ${token}` },
                })
              : await h.app.request(`/trpc/${proc.name}`, {
                  method: "POST",
                  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                  ...(json === undefined ? {} : { body: json }),
                });
          const text = await res.text();
          const where = `${proc.name} ${json ?? ""}`.slice(0, 400);
          expect(res.status, `${where} -> ${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            const body = JSON.parse(text) as { error?: { message?: unknown; data?: { code?: unknown } } };
            expect(typeof body.error?.message, where).toBe("string");
            expect(typeof body.error?.data?.code, where).toBe("string");
            if (before) expect(await rowCounts(), `refused, yet rows changed: ${where}`).toEqual(before);
          }
        },
      ),
      { seed: SEED, numRuns: Math.round(RUNS / 2) },
    );
  }, 600_000);

  it("batches of mixed calls (GET and POST) hold the same invariants, and a query answers as it does alone", async () => {
    const { procedures, input } = trpcArbitraries();
    const ofType = (type: string) => procedures.filter((p) => p.type === type);
    const call = fc.constantFrom("query", "mutation").chain((type) =>
      fc.array(fc.tuple(fc.constantFrom(...ofType(type)), fc.option(input, { nil: undefined })), {
        minLength: 1,
        maxLength: 12,
      }),
    );
    await fc.assert(
      fc.asyncProperty(call, fc.constantFrom<"admin" | "intern">("admin", "intern"), async (calls, actor) => {
        const token = actor === "admin" ? h.admin.access : intern.access;
        const type = calls[0]![0].type;
        const inputs = Object.fromEntries(
          calls.flatMap(([, value], i) => (value === undefined ? [] : [[i, value]])),
        );
        const path = `/trpc/${calls.map(([p]) => p.name).join(",")}?batch=1`;
        const before = type === "mutation" ? await rowCounts() : null;
        const res =
          type === "query"
            ? await h.app.request(`${path}&input=${enc(JSON.stringify(inputs))}`, {
                headers: { authorization: `Bearer ${token}` },
              })
            : await h.app.request(path, {
                method: "POST",
                headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                body: JSON.stringify(inputs),
              });
        const text = await res.text();
        const where = `${path} ${JSON.stringify(inputs)}`.slice(0, 400);
        expect(res.status, `${where} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (calls.length > 10) {
          // Refused whole: too long a batch (400), or too long a query string before the batch is read (414).
          expect([400, 414], where).toContain(res.status);
          if (before) expect(await rowCounts(), `refused, yet rows changed: ${where}`).toEqual(before);
          return;
        }
        if (!text.startsWith("[")) {
          // Refused whole at the edge (a query string or body too large): tRPC's own error shape.
          expect([413, 414], `${where} -> ${text.slice(0, 300)}`).toContain(res.status);
          return;
        }
        const items = JSON.parse(text) as {
          error?: { message?: unknown; data?: { code?: unknown; httpStatus?: number } };
        }[];
        expect(items, where).toHaveLength(calls.length);
        for (const [i, item] of items.entries()) {
          if (!item.error) continue;
          expect(item.error.data?.httpStatus, where).toBeLessThan(500);
          expect(typeof item.error.message, where).toBe("string");
          expect(typeof item.error.data?.code, where).toBe("string");
          if (type === "query") {
            const [proc, value] = calls[i]!;
            const json = value === undefined ? "" : `?input=${enc(JSON.stringify(value))}`;
            const alone = await h.app.request(`/trpc/${proc.name}${json}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            expect(alone.status, `${proc.name} ${json}`).toBe(item.error.data?.httpStatus);
          }
        }
      }),
      { seed: SEED, numRuns: Math.round(RUNS / 4) },
    );
  }, 600_000);

  it("valid text round-trips exactly through create, get and both doors; text that cannot be stored is a 400 naming its field", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
          fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
          fc.constantFrom(...HOSTILE_STRINGS),
        ),
        fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom(...HOSTILE_STRINGS)),
        async (title, description) => {
          const res = await h.rest("POST", "/api/tasks", {
            token: h.admin.access,
            body: { title, description },
          });
          // An independent oracle: text survives a UTF-8 round trip (no unpaired surrogate) and holds no NUL.
          const storable = (s: string) =>
            !s.includes("\u0000") && Buffer.from(s, "utf8").toString("utf8") === s;
          const titleOk = storable(title) && title.trim().length >= 1 && title.trim().length <= 200;
          const descriptionOk = storable(description) && description.length <= 10_000;
          if (!titleOk || !descriptionOk) {
            expect(res.status).toBe(400);
            expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(
              titleOk ? "description" : "title",
            );
            return;
          }
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          expect(res.body.title).toBe(title.trim());
          expect(res.body.description).toBe(description);
          const read = await h.rest("GET", `/api/tasks/${res.body.id}`, { token: h.admin.access });
          expect(read.body).toMatchObject({ title: title.trim(), description });
          const viaTrpc = await h.trpc(h.admin).tasks.get.query({ id: res.body.id });
          expect(viaTrpc).toMatchObject({ title: title.trim(), description });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  }, 300_000);
});

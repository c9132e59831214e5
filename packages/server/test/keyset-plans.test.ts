import { rowsOf, type TaskRow, tasks, users } from "@taskmgr/db";
import type { TaskOrderField } from "@taskmgr/db/contracts";
import { createTestDb, type TestDatabase, testBackends } from "@taskmgr/db/testing";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageRows, type SortKey, seekAfter, seekParts } from "../src/services/keyset";
import { taskKeys } from "../src/services/task-queries";

// API.md: a cursor page is "as fast at page 5,000 as at page 2". That holds only if an index yields the rows
// in the ordering's order from the cursor on; otherwise PostgreSQL sorts every row past the cursor. With sorts
// disabled the planner still sorts when nothing else can give the order, so a Sort in the plan is the proof.
// dueDate (nulls last either way) is read in two parts, dated rows then nulls (keyset.ts seekParts).
const INDEX_SERVED: TaskOrderField[] = ["createdAt", "updatedAt", "status", "priority", "title"];

describe.each(testBackends())("cursor pages seek on an index, on %s", (backend) => {
  let database: TestDatabase;
  let rows: TaskRow[];

  beforeAll(async () => {
    database = await createTestDb(backend);
    const [owner] = await database.db
      .insert(users)
      .values({ username: "planner", passwordHash: "x", role: "ADMIN" })
      .returning();
    await database.db.execute(sql`
      insert into tasks (title, status, priority, due_date, created_by_id, created_at, updated_at)
      select 'task ' || g,
        (array['PENDING','IN_PROGRESS','COMPLETED','OVERDUE'])[1 + g % 4]::task_status,
        (array['LOW','MEDIUM','HIGH'])[1 + g % 3]::task_priority,
        case when g % 5 = 0 then null else now() + g * interval '1 hour' end,
        ${owner!.id}, now() - g * interval '1 minute', now() - g * interval '1 minute'
      from generate_series(1, 500) g`);
    await database.db.execute(sql`analyze tasks`);
    rows = await database.db.select().from(tasks);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function planOf(
    keys: readonly SortKey[],
    seek: SQL | undefined,
    incremental = false,
  ): Promise<string> {
    const page = pageRows(database.db, tasks, undefined, keys, seek, 21, 0);
    return database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_sort = off`);
      if (!incremental) await tx.execute(sql`set local enable_incremental_sort = off`);
      const plan = rowsOf<{ "QUERY PLAN": string }>(await tx.execute(sql`explain ${page}`));
      return plan.map((line) => line["QUERY PLAN"]).join("\n");
    });
  }

  function expectSeek(plan: string) {
    expect(plan).toMatch(/Index Scan/);
    expect(plan).not.toMatch(/Sort/);
  }

  for (const field of INDEX_SERVED) {
    for (const desc of [false, true]) {
      it(`ordering=${desc ? "-" : ""}${field}`, async () => {
        const keys = taskKeys([{ field, desc }]);
        const after = rows[250]!;
        expectSeek(await planOf(keys, seekAfter(keys, [after[field], after.id])));
      });
    }
  }

  for (const desc of [false, true]) {
    it(`ordering=${desc ? "-" : ""}dueDate: the first page, a page in the dated rows and one in the nulls`, async () => {
      const keys = taskKeys([{ field: "dueDate", desc }]);
      const dated = rows.find((r) => r.dueDate !== null)!;
      const undated = rows.find((r) => r.dueDate === null)!;
      for (const values of [undefined, [dated.dueDate, dated.id], [null, undated.id]]) {
        const parts = seekParts(keys, values)!;
        expect(parts.length).toBe(values?.[0] === null ? 1 : 2);
        for (const part of parts) expectSeek(await planOf(part.keys, part.seek));
      }
    });
  }

  // Several fields: no index has them all, but one on the first field, read from the cursor on, lets the
  // planner sort just the rows that tie on it (Incremental Sort). Without the bound on the first field the
  // scan starts at the top of the index and filters out every row before the cursor.
  const MULTI: [TaskOrderField, boolean, TaskOrderField, boolean][] = [
    ["createdAt", false, "title", true],
    ["updatedAt", true, "priority", false],
    ["title", false, "createdAt", true],
    ["createdAt", true, "title", true],
    ["dueDate", false, "priority", true],
    ["dueDate", true, "title", false],
  ];
  /** ordering=<a>,<b> as the API writes it, and as taskKeys takes it. */
  const pair = (a: TaskOrderField, aDesc: boolean, b: TaskOrderField, bDesc: boolean) => ({
    name: `${aDesc ? "-" : ""}${a},${bDesc ? "-" : ""}${b}`,
    ordering: [
      { field: a, desc: aDesc },
      { field: b, desc: bDesc },
    ],
  });

  for (const [a, aDesc, b, bDesc] of MULTI) {
    const { name, ordering } = pair(a, aDesc, b, bDesc);
    it(`ordering=${name}: the index on ${a} starts at the cursor, and only ties are sorted`, async () => {
      const keys = taskKeys(ordering);
      const after = rows.filter((r) => r[a] !== null)[250]!;
      const values = [after[a], after[b], after.id];
      const parts = seekParts(keys, values) ?? [{ keys, seek: seekAfter(keys, values) }];
      const plan = await planOf(parts[0]!.keys, parts[0]!.seek, true);
      expect(plan).not.toMatch(/(^|->\s+)Sort\b/m);
      expect(plan).toMatch(new RegExp(`Index Cond: \\(+${tasks[a].name}(\\)::\\w+)? [<>]=? `));
    });
  }

  // Led by status or priority, whose every value is a quarter or a third of the table: one part per value,
  // each read in order on the next field's index, on the first page and from a cursor.
  const GROUPED: [TaskOrderField, boolean, TaskOrderField, boolean][] = [
    ["priority", true, "dueDate", false],
    ["status", false, "updatedAt", true],
    ["priority", false, "title", false],
  ];
  for (const [a, aDesc, b, bDesc] of GROUPED) {
    const { name, ordering } = pair(a, aDesc, b, bDesc);
    it(`ordering=${name}: a part per ${a} value, each without a sort`, async () => {
      const keys = taskKeys(ordering, {});
      const values = keys[0]!.values!;
      const firstGroup = aDesc ? values.at(-1) : values[0];
      const after = rows.filter((r) => r[b] !== null && r[a] === firstGroup)[20]!;
      for (const cursor of [undefined, [after[a], after[b], after.id]]) {
        const parts = seekParts(keys, cursor)!;
        expect(parts.length).toBeGreaterThan(1);
        for (const part of parts) expectSeek(await planOf(part.keys, part.seek));
      }
    });
  }
});

it("reads no part for a status or priority the filters leave out", () => {
  const keys = taskKeys(
    [
      { field: "status", desc: false },
      { field: "updatedAt", desc: true },
    ],
    { status: ["OVERDUE", "PENDING"] },
  );
  expect(keys[0]!.values).toEqual(["PENDING", "OVERDUE"]);
  const parts = seekParts(keys, undefined)!;
  expect(parts).toHaveLength(2);
  expect(seekParts(keys, ["OVERDUE", new Date(), "00000000-0000-7000-8000-000000000000"])).toHaveLength(1);
});

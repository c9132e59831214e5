// The floor: a bare Hono handler running the same SQL as the API's list (cached exact count included), filtered
// list and get, with postgres.js alone (no tRPC, no OpenAPI layer, no zod, no auth). Our throughput is reported
// as a ratio of this.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  transform: postgres.camel,
});
const PAGE = 20;

const page = (count: number, p: number, results: unknown[]) => ({
  count,
  page: p,
  pageSize: PAGE,
  totalPages: Math.ceil(count / PAGE),
  next: p * PAGE < count ? p + 1 : null,
  previous: p > 1 ? p - 1 : null,
  nextCursor: null,
  results,
});

// The same count SQL as the API (src/services/task-counts.ts): cached per key while the write version holds.
const version = sql`(select sum(n)::bigint from task_write_versions)`;
async function count(key: string, where: postgres.PendingQuery<postgres.Row[]>) {
  const [hit] = await sql`select n from task_count_cache where key = ${key} and version = ${version}`;
  if (hit) return Number(hit.n);
  const [counted] = await sql`
    with v as (select ${version} as version), c as (select count(*)::bigint as n from tasks ${where}),
    saved as (
      insert into task_count_cache (key, version, n) select ${key}, v.version, c.n from v, c
      on conflict (key) do update set version = excluded.version, n = excluded.n
      where task_count_cache.version < excluded.version
    )
    select n from c`;
  return Number(counted!.n);
}

const app = new Hono()
  .get("/floor/tasks", async (c) => {
    const p = Number(c.req.query("page") ?? 1);
    const [rows, total] = await Promise.all([
      sql`select * from tasks order by created_at desc, id desc limit ${PAGE + 1} offset ${(p - 1) * PAGE}`,
      count("floor:all", sql``),
    ]);
    return c.json(page(total, p, rows.slice(0, PAGE)));
  })
  .get("/floor/tasks/filtered", async (c) => {
    const where = sql`where status in ('PENDING', 'IN_PROGRESS') and priority in ('HIGH')`;
    const [rows, total] = await Promise.all([
      sql`select * from tasks ${where} order by due_date asc nulls last, id asc limit ${PAGE + 1}`,
      count("floor:filtered", where),
    ]);
    return c.json(page(total, 1, rows.slice(0, PAGE)));
  })
  .get("/floor/tasks/:id", async (c) => {
    const [row] = await sql`select * from tasks where id = ${c.req.param("id")}`;
    return row ? c.json(row) : c.json({ message: "not found" }, 404);
  });

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) =>
  console.log(JSON.stringify({ port: info.port })),
);
process.on("SIGTERM", () => sql.end().then(() => process.exit(0)));

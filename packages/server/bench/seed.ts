// `pnpm seed --tasks N --users U [--overdue-fraction F]`: fills the configured database fast. Tasks are made by
// set-based INSERT … SELECT over generate_series in batches, each with its CREATED log entry in the same
// statement; interns are intern1..internU (password "intern-password"), so benchmarks can log in as one.
// The tasks read as a year of work created one after another: created_at rises with g, and each id is the
// UUID v7 the task would have got when it was created, so the table is laid out as a live one would be.
import { parseArgs } from "node:util";
import { createDb, type Database, migrate, rowsOf, users } from "@taskmgr/db";
import { sql } from "drizzle-orm";
import { createPasswords } from "../src/services/passwords";

export const INTERN_PASSWORD = "intern-password";

export interface SeedOptions {
  tasks: number;
  users: number;
  overdueFraction: number;
  adminUsername?: string;
  adminPassword?: string;
  onProgress?: (done: number, total: number) => void;
}

export async function seed(database: Database, o: SeedOptions): Promise<{ tasks: number; ms: number }> {
  const started = performance.now();
  const passwords = createPasswords({ concurrency: 2, maxQueued: 1000 });
  const [internHash, adminHash] = await Promise.all([
    passwords.hash(INTERN_PASSWORD),
    passwords.hash(o.adminPassword ?? "admin-password"),
  ]);
  await database.db
    .insert(users)
    .values({ username: o.adminUsername ?? "admin", passwordHash: adminHash, role: "ADMIN" })
    .onConflictDoNothing();
  const interns = Array.from({ length: o.users }, (_, i) => ({
    username: `intern${i + 1}`,
    passwordHash: internHash,
    role: "INTERN" as const,
  }));
  for (let i = 0; i < interns.length; i += 1000) {
    await database.db
      .insert(users)
      .values(interns.slice(i, i + 1000))
      .onConflictDoNothing();
  }
  const ids = rowsOf<{ id: string; role: string }>(
    await database.db.execute(sql`select id, role from users`),
  );
  const internIds = ids.filter((u) => u.role === "INTERN").map((u) => u.id);
  const adminId = ids.find((u) => u.role === "ADMIN")!.id;
  const people = sql`${`{${internIds.join(",")}}`}::uuid[]`;
  const batch = 20_000;
  for (let start = 0; start < o.tasks; start += batch) {
    const end = Math.min(o.tasks, start + batch);
    await database.db.execute(sql`
      with made as (
        insert into tasks (id, title, description, status, priority, due_date, assignee_id, created_by_id, created_at, updated_at, completed_at)
        select
          uuid_v7(at),
          'Task ' || g || ' ' || substr(md5(g::text), 1, 8),
          'Seeded task number ' || g,
          status::task_status,
          (array['LOW','MEDIUM','HIGH'])[1 + floor(r_priority * 3)::int]::task_priority,
          case
            when overdue then now() - (1 + r_due * 30) * interval '1 day'
            when r_due < 0.15 then null
            else now() + (1 + r_due * 120) * interval '1 day'
          end,
          assignee,
          case when r_creator < 0.5 then ${adminId}::uuid else assignee end,
          at, at,
          case when status = 'COMPLETED' then at end
        from (
          select g, overdue, r_priority, r_due, r_creator, assignee, at,
            case when overdue then (array['PENDING','IN_PROGRESS'])[1 + floor(r_status * 2)::int]
                 else (array['PENDING','IN_PROGRESS','COMPLETED'])[1 + floor(r_status * 3)::int] end as status
          from (
            -- volatile expressions in a select list are evaluated per row
            select g,
              random() < ${o.overdueFraction} as overdue,
              random() as r_status, random() as r_priority, random() as r_due, random() as r_creator,
              (${people})[1 + floor(random() * ${Math.max(1, internIds.length)})::int] as assignee,
              date_trunc('milliseconds', now() - (1 - (g - random()) / ${o.tasks}) * interval '365 days') as at
            from generate_series(${start + 1}::int, ${end}::int) g
          ) r
        ) x
        returning *
      )
      insert into activity_log (task_id, actor_id, action, new_value, created_at)
      select id, created_by_id, 'CREATED', jsonb_build_object(
        'id', id, 'title', title, 'description', description, 'status', status, 'priority', priority,
        'dueDate', due_date, 'assigneeId', assignee_id, 'createdById', created_by_id, 'createdAt', created_at,
        'updatedAt', updated_at, 'completedAt', completed_at, 'version', version), created_at
      from made
    `);
    o.onProgress?.(end, o.tasks);
  }
  // Vacuumed as well as analyzed: the visibility map is set for index-only scans, and autovacuum has no
  // reason to start on these tables in the middle of a benchmark.
  await database.db.execute(sql`vacuum analyze tasks`);
  await database.db.execute(sql`vacuum analyze activity_log`);
  await database.db.execute(sql`analyze users`);
  return { tasks: o.tasks, ms: Math.round(performance.now() - started) };
}

function progressBar(done: number, total: number) {
  if (!process.stdout.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r  [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} tasks`);
  if (done === total) process.stdout.write("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      tasks: { type: "string", default: "100000" },
      users: { type: "string", default: "10" },
      "overdue-fraction": { type: "string", default: "0" },
    },
  });
  const database = await createDb({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: process.env.DATA_DIR ?? "./.data",
  });
  await migrate(database);
  const result = await seed(database, {
    tasks: Number(values.tasks),
    users: Number(values.users),
    overdueFraction: Number(values["overdue-fraction"]),
    adminUsername: process.env.ADMIN_USERNAME,
    adminPassword: process.env.ADMIN_PASSWORD,
    onProgress: progressBar,
  });
  await database.close();
  console.log(`seeded ${result.tasks} tasks in ${result.ms} ms (${database.kind})`);
}

-- Tasks get UUID v7 ids too, so id order follows creation order as the log's does since 0004. New tasks append
-- to the primary key's last pages, and the sweep, which marks rows in id order, then reaches the heap and the
-- created_at, assignee and creator indexes in order as well (docs/benchmarks.md, "The sweep"). Existing tasks
-- keep their random ids; ids are still only compared for equality and as the last tie-break of an ordering.
-- uuid_v7(at) mints an id for a given time (the bench seed backdates tasks with it); uuid_v7() is now that
-- at the clock's time.
CREATE FUNCTION "uuid_v7"("at" timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch FROM "at") * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "uuid_v7"() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT uuid_v7(clock_timestamp())
$$;
--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "id" SET DEFAULT uuid_v7();

-- Cached task counts are exact only if every committed change to tasks moves the write version: a statement
-- trigger bumps it in the writer's own transaction, once per statement however many rows it touched (the
-- sweep's 100,000-row UPDATE bumps it once). A statement that matched no row bumps it too: harmless.
ALTER TABLE "task_count_cache" SET UNLOGGED;
--> statement-breakpoint
INSERT INTO "task_write_versions" ("shard", "n") SELECT s, 0 FROM generate_series(0, 15) AS s ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE FUNCTION "bump_task_write_version"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- One row per transaction (its id picks it): concurrent writers spread over the 16 rows, and a transaction
  -- that writes tasks twice locks the same row twice, so two such transactions cannot deadlock on these rows.
  pick smallint := (txid_current() % 16)::smallint;
BEGIN
  UPDATE "task_write_versions" SET "n" = "n" + 1 WHERE "shard" = pick;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_write_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tasks"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_task_write_version"();

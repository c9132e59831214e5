CREATE TABLE "event_outbox" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"log_id" uuid NOT NULL,
	"task" jsonb
);
--> statement-breakpoint
CREATE TABLE "events" (
	"position" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"log_id" uuid NOT NULL,
	"task" jsonb,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_log_id_unique" UNIQUE("log_id")
);
--> statement-breakpoint
-- Every activity-log entry is an event: recorded here in the entry's own transaction, with the task as the
-- change left it (before it, for a delete: the entry's old value). Once per statement, however many entries. An
-- update's task is the row as stored (to_jsonb, read by primary key), which readers put in the contract's shape
-- (taskFromStored in task-store/dto.ts): building that shape here, or joining the tasks, made the sweep slower
-- (docs/benchmarks.md, "Events").
CREATE FUNCTION "record_task_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_outbox" ("seq", "log_id", "task")
  SELECT e."seq", e."id", CASE e."action"
      WHEN 'CREATED' THEN e."new_value"
      WHEN 'DELETED' THEN e."old_value"
      ELSE (SELECT to_jsonb(t) FROM "tasks" t WHERE t."id" = e."task_id") END
  FROM new_entries e;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "activity_log_events" AFTER INSERT ON "activity_log"
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION "record_task_events"();

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
-- The task as the contract shows it (camelCase, ISO 8601 UTC times): what an event carries.
CREATE FUNCTION "task_contract_json"(t "tasks") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', t.id, 'title', t.title, 'description', t.description, 'status', t.status, 'priority', t.priority,
    'dueDate', to_char(t.due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'assigneeId', t.assignee_id, 'createdById', t.created_by_id,
    'createdAt', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'completedAt', to_char(t.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'version', t.version)
$$;
--> statement-breakpoint
-- Every activity-log entry is an event: recorded here in the entry's own transaction, with the task as the
-- change left it (before it, for a delete: the entry's old value). Once per statement, however many entries.
CREATE FUNCTION "record_task_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_outbox" ("seq", "log_id", "task")
  SELECT e."seq", e."id", CASE e."action"
      WHEN 'CREATED' THEN e."new_value"
      WHEN 'DELETED' THEN e."old_value"
      ELSE (SELECT "task_contract_json"(t) FROM "tasks" t WHERE t."id" = e."task_id") END
  FROM new_entries e;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "activity_log_events" AFTER INSERT ON "activity_log"
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION "record_task_events"();

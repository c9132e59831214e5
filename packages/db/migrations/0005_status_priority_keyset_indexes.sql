-- The status and priority indexes were keyed (field, created_at), which serves neither ordering: a cursor page
-- of ordering=status (status, then id) had to sort every task past the cursor. Keyed (field, id) they seek.
DROP INDEX "tasks_status_idx";--> statement-breakpoint
DROP INDEX "tasks_priority_idx";--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "tasks_priority_idx" ON "tasks" USING btree ("priority","id");
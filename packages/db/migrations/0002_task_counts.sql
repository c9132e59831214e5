CREATE TABLE "task_count_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_write_versions" (
	"shard" smallint PRIMARY KEY NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL
);

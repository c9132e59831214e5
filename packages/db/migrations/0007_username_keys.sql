-- Issue 17. Usernames (finding 8): a user is found by username_key, the name in NFKC and lower-cased by
-- PostgreSQL, for the stored row and for a login alike, so ａｄｍｉｎ and 𝐚𝐝𝐦𝐢𝐧 are admin and İvan finds İvan.
-- username_skeleton (UTS #39) refuses look-alikes such as a Cyrillic аdmin. The server computes it: it stays null
-- here, and the server fills it for every row without one before it creates the next user.
--> statement-breakpoint
-- Names that lower() kept apart but NFKC makes one (ａｄｍｉｎ beside admin): the oldest keeps its name, and each later
-- one gets "-<its id>" appended, so that the unique index can be built; its owner logs in by that name from now on.
UPDATE "users" AS "later" SET "username" = left("later"."username", 113) || '-' || "later"."id"
WHERE EXISTS (
  SELECT 1 FROM "users" AS "earlier"
  WHERE lower(normalize("earlier"."username", NFKC)) = lower(normalize("later"."username", NFKC))
    AND ("earlier"."created_at", "earlier"."id") < ("later"."created_at", "later"."id")
);
--> statement-breakpoint
-- Names are shown in NFKC, as the contract stores new ones (a name too long for the column in NFKC stays as it is).
UPDATE "users" SET "username" = normalize("username", NFKC)
WHERE "username" <> normalize("username", NFKC) AND length(normalize("username", NFKC)) <= 150;
--> statement-breakpoint
DROP INDEX "users_username_lower_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "username_key" text GENERATED ALWAYS AS (lower(normalize("users"."username", NFKC))) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "username_skeleton" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key_key" ON "users" USING btree ("username_key");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_skeleton_key" ON "users" USING btree ("username_skeleton");

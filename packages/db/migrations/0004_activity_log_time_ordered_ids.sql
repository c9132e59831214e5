-- UUID v7 (RFC 9562): 48 bits of Unix milliseconds, then the random bits of gen_random_uuid() with the
-- version nibble turned from 4 into 7. PostgreSQL 18 has uuidv7(); the image and PGlite run 17.
-- Log ids made this way arrive in order, so the sweep's 100,000 entries append to the primary key's last pages
-- instead of touching 100,000 random ones (docs/benchmarks.md, "The sweep").
CREATE FUNCTION "uuid_v7"() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
--> statement-breakpoint
ALTER TABLE "activity_log" ALTER COLUMN "id" SET DEFAULT uuid_v7();

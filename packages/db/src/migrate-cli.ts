import { z } from "zod";
import { createDb } from "./client";
import { sharedEnv } from "./env";
import { migrate } from "./migrate";

// DATA_DIR read as every process reads it (relative to the repository's root).
const env = z
  .object({ DATABASE_URL: sharedEnv.DATABASE_URL, DATA_DIR: sharedEnv.DATA_DIR })
  .parse(process.env);
const database = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
await migrate(database);
await database.close();
console.log(`migrations applied (${database.kind})`);

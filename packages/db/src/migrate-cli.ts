import { createDb } from "./client";
import { migrate } from "./migrate";

const database = await createDb({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.DATA_DIR ?? "./.data",
});
await migrate(database);
await database.close();
console.log(`migrations applied (${database.kind})`);

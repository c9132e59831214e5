import { stdin, stdout } from "node:process";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createDb, DataDirInUseError, migrate } from "@taskmgr/db";
import { Email, Password, Username } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { createServices } from "./services";

const USAGE = `usage: pnpm cli createsuperuser [--username NAME] [--email EMAIL] [--password PASSWORD] [--no-input]
  Without flags on a terminal it asks. Otherwise --username and a password are required;
  the password may come from TASKMGR_SUPERUSER_PASSWORD instead of the command line.`;

async function createSuperuser(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      "no-input": { type: "boolean", default: false },
    },
  });
  const interactive = stdin.isTTY && !values["no-input"];
  let username = values.username;
  let email = values.email;
  let password = values.password ?? process.env.TASKMGR_SUPERUSER_PASSWORD;
  if (interactive) {
    const rl = createInterface({ input: stdin, output: stdout });
    username ??= await rl.question("Username: ");
    email ??= (await rl.question("Email (optional): ")) || undefined;
    password ??= await rl.question("Password: ");
    rl.close();
  }
  const problems: string[] = [];
  const checked = {
    username: Username.safeParse(username),
    password: Password.safeParse(password),
    email: email === undefined ? { success: true as const } : Email.safeParse(email),
  };
  for (const [field, result] of Object.entries(checked)) {
    if (!result.success) problems.push(`${field}: ${result.error?.issues[0]?.message ?? "required"}`);
  }
  if (problems.length > 0) {
    console.error(`${problems.join("\n")}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(database);
    const services = createServices({ config, database, logger: createLogger("silent", false) });
    const user = await services.users.create({
      username: username!,
      password: password!,
      email: email ?? null,
      role: "ADMIN",
    });
    console.log(`Superuser "${user.username}" created (${user.id}).`);
    return 0;
  } catch (err) {
    // A password the server refuses (too common, the username) is bad input, like one the contract refuses.
    if (err instanceof TRPCError && err.code === "BAD_REQUEST") {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof TRPCError && err.code === "CONFLICT") {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === "createsuperuser") process.exit(await createSuperuser(rest));
  console.error(USAGE);
  process.exit(2);
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof DataDirInUseError ? err.message : err);
  process.exit(1);
}

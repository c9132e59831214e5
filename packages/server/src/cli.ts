import { confirm, input, password as passwordPrompt } from "@inquirer/prompts";
import { createDb, type Database, DataDirInUseError, migrate, users } from "@taskmgr/db";
import { Email, Password, Username } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { Command, CommanderError, Option } from "commander";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { createServices, type Services } from "./services";

// `pnpm cli`: the administrator's commands, run beside the database (with the embedded default, while the
// server is stopped: the data directory serves one process). Exit codes: 0 done, 1 refused (a taken username,
// no such user, the database held by another process), 2 bad input.

/** Bad input: said with the command's usage, exit 2. */
class UsageError extends Error {}

/** Who the CLI acts as: an administrator that is no user, so no rule about one's own account applies. */
const CLI_ACTOR = { id: "00000000-0000-0000-0000-000000000000", username: "cli", role: "ADMIN" as const };

const PASSWORD_ENV = "TASKMGR_SUPERUSER_PASSWORD";

function check<T>(field: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${field}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

/** Asks for a new password twice, hidden, until both agree and the contract accepts it. */
async function askNewPassword(): Promise<string> {
  for (;;) {
    const first = await passwordPrompt({
      message: "Password:",
      mask: "*",
      validate: (v) => Password.safeParse(v).success || "at least 8 characters",
    });
    const again = await passwordPrompt({ message: "Password (again):", mask: "*" });
    if (first === again) return first;
    console.error("The passwords differ; try again.");
  }
}

async function withServices<T>(work: (services: Services, database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(database);
    return await work(createServices({ config, database, logger: createLogger("silent", false) }), database);
  } finally {
    await database.close();
  }
}

/** A password the server refuses (too common, like the username) is bad input, as one the contract refuses. */
function refusal(err: unknown): never {
  if (err instanceof TRPCError && err.code === "BAD_REQUEST") throw new UsageError(err.message);
  if (err instanceof TRPCError) throw new Refused(err.message);
  throw err;
}
class Refused extends Error {}

const program = new Command("pnpm cli")
  .description("Task Manager administration")
  .showHelpAfterError()
  .exitOverride();

const noInput = new Option("--no-input", "never ask: take every value from flags and the environment");

program
  .command("createsuperuser")
  .description(
    `create an admin; on a terminal it asks for what the flags leave out (the password hidden, twice)`,
  )
  .option("--username <name>", "the new admin's username")
  .option("--email <email>", "optional email")
  .option(
    "--password <password>",
    `the password (better: the ${PASSWORD_ENV} variable, kept out of shell history)`,
  )
  .addOption(noInput)
  .action(async (opts: { username?: string; email?: string; password?: string; input: boolean }) => {
    const interactive = opts.input && Boolean(process.stdin.isTTY);
    let username = opts.username;
    let email = opts.email;
    let password = opts.password ?? process.env[PASSWORD_ENV];
    if (interactive) {
      username ??= await input({
        message: "Username:",
        validate: (v) => Username.safeParse(v).success || "3-150 letters, digits or _ . @ + -",
      });
      email ??=
        (await input({
          message: "Email (optional):",
          validate: (v) => !v || Email.safeParse(v).success || "not an email",
        })) || undefined;
      password ??= await askNewPassword();
    }
    if (username === undefined)
      throw new UsageError("--username: required (or run it on a terminal to be asked)");
    const name = check("username", Username, username);
    const checkedEmail = email === undefined ? null : check("email", Email, email);
    if (password === undefined)
      throw new UsageError(
        `password: required: --password, the ${PASSWORD_ENV} variable, or a terminal to be asked`,
      );
    const checked = { username: name, email: checkedEmail, password: check("password", Password, password) };
    const user = await withServices((s) => s.users.create({ ...checked, role: "ADMIN" }).catch(refusal));
    console.log(`Superuser "${user.username}" created (${user.id}).`);
  });

program
  .command("changepassword")
  .description("set a user's password (and end their sessions); on a terminal it asks for it, hidden, twice")
  .argument("<username>", "whose password")
  .option("--password <password>", `the new password (better: the ${PASSWORD_ENV} variable)`)
  .addOption(noInput)
  .action(async (username: string, opts: { password?: string; input: boolean }) => {
    const interactive = opts.input && Boolean(process.stdin.isTTY);
    const name = check("username", Username, username);
    await withServices(async (s, database) => {
      const [found] = await database.db.select().from(users).where(eq(users.username, name));
      if (!found) throw new Refused(`No user "${name}"`);
      let password = opts.password ?? process.env[PASSWORD_ENV];
      if (password === undefined && interactive) {
        console.log(`Changing the password of "${found.username}".`);
        password = await askNewPassword();
      }
      if (password === undefined)
        throw new UsageError(
          `password: required: --password, the ${PASSWORD_ENV} variable, or a terminal to be asked`,
        );
      const checked = check("password", Password, password);
      if (
        interactive &&
        !(await confirm({ message: `Set the new password of "${found.username}"?`, default: true }))
      ) {
        throw new Refused("Nothing changed.");
      }
      await s.users.update(CLI_ACTOR, { id: found.id, password: checked }, "cli").catch(refusal);
      console.log(`Password of "${found.username}" changed; their sessions are ended.`);
    });
  });

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here with code 0; a wrong command or flag with commander's message (already shown).
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UsageError) {
    // The message, then the usage of the command it is about.
    const command = program.commands.find((c) => c.name() === process.argv[2]) ?? program;
    console.error(`${err.message}\n`);
    command.outputHelp({ error: true });
    process.exit(2);
  }
  if (err instanceof Refused || err instanceof ConfigError || err instanceof DataDirInUseError) {
    console.error(err.message);
    process.exit(1);
  }
  // A prompt ended by Ctrl-C or a closed terminal.
  if (err instanceof Error && err.name === "ExitPromptError") process.exit(130);
  console.error(err);
  process.exit(1);
}

/**
 * `npm run admin -- create --email a@example.com --password '…' [--name 'Ops']`
 * `npm run admin -- set-password --email a@example.com --password '…'`
 * Admin accounts are made here (or from ADMIN_EMAIL/ADMIN_PASSWORD at start-up), never by sign-up.
 * Without --password the password is read from standard input (keeps it out of shell history).
 */
import "../../scripts/require-node.mjs"; // first: an older Node is told what it needs
import { parseArgs } from "node:util";
import { systemClock } from "../clock.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createDatabase, migrateToLatest } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { createLogger } from "../logger.ts";
import { createUsersService } from "../users/users.service.ts";

const USAGE = `Usage:
  npm run admin -- create --email <email> [--password <password>] [--name <name>]
  npm run admin -- set-password --email <email> [--password <password>]
Without --password, the password is read from standard input.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || (command !== "create" && command !== "set-password") || !values.email) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const password = values.password ?? (await readStdin());

  const config = loadConfig();
  const db = createDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const users = createUsersService({ config, db, logger: createLogger("warn"), clock: systemClock });
    if (command === "create") {
      const user = await users.createAdmin({
        email: values.email,
        password,
        ...(values.name ? { name: values.name } : {}),
      });
      console.log(`Admin ${user.email} created (${user.id}).`);
    } else {
      await users.setPassword(values.email, password);
      console.log(`Password of ${values.email.toLowerCase()} changed.`);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof AppError || error instanceof ConfigError) console.error(error.message);
  else if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    console.error(`${error.message}\n${USAGE}`);
  else console.error(error);
  process.exitCode = 1;
}

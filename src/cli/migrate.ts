/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
import "../../scripts/require-node.mjs"; // first: an older Node is told what it needs
import { loadConfig } from "../config.ts";
import { createDatabase, migrateToLatest } from "../db/database.ts";

const config = loadConfig();
const db = createDatabase(config.databaseUrl);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}

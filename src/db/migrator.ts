/**
 * Applies the migrations in `migrations/index.ts`, each in its own transaction together with its row
 * in `malipo_migrations`, so a crash leaves either all of a migration or none of it.
 *
 * Why not Kysely's Migrator: it finds its tables by introspecting every table of every schema, and on
 * PostgreSQL that query fails when another schema is dropped at the same moment (parallel test
 * schemas, or another tenant on a shared server). This one only touches its own table. Several
 * processes may start at once: on PostgreSQL an advisory lock per schema serialises them; SQLite
 * serialises writers itself.
 */
import { sql } from "kysely";
import type { Db } from "./database.ts";
import { migrations } from "./migrations/index.ts";
import type { Executor } from "./schema.ts";

const TABLE = "malipo_migrations";

/** Serialises migrators: first statement of each migration transaction. */
async function lock(db: Db, trx: Executor): Promise<void> {
  if (db.engine === "postgres") {
    const key = `malipo_migrations:${db.schema ?? "public"}`;
    await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
    return;
  }
  // SQLite: a write statement first takes the write lock before anything is read, so two processes
  // queue (busy_timeout) instead of both reading and then deadlocking on the upgrade.
  await sql`UPDATE ${sql.table(TABLE)} SET name = name WHERE 1 = 0`.execute(trx);
}

async function appliedNames(executor: Executor): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(TABLE)}`.execute(executor);
  return new Set(rows.map((r) => r.name));
}

/** Applies every pending migration and returns the names applied; throws naming the one that failed. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  await db.kysely.transaction().execute(async (trx) => {
    if (db.engine === "postgres") await lock(db, trx);
    if (db.engine === "postgres" && db.schema && db.schema !== "public")
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(db.schema)}`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(TABLE)} (name text PRIMARY KEY, executed_at text NOT NULL)`.execute(
      trx,
    );
  });
  const applied: string[] = [];
  for (const [name, migration] of Object.entries(migrations)) {
    try {
      const ran = await db.kysely.transaction().execute(async (trx) => {
        await lock(db, trx);
        if ((await appliedNames(trx)).has(name)) return false;
        await migration.up(trx);
        await sql`INSERT INTO ${sql.table(TABLE)} (name, executed_at) VALUES (${name}, ${new Date().toISOString()})`.execute(
          trx,
        );
        return true;
      });
      if (ran) applied.push(name);
    } catch (error) {
      throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
    }
  }
  return applied;
}

/** True when every known migration has been applied (for /ready). */
export async function isMigrated(db: Db): Promise<boolean> {
  try {
    const done = await appliedNames(db.kysely);
    return Object.keys(migrations).every((name) => done.has(name));
  } catch {
    return false; // no migrations table yet
  }
}

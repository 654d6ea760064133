/**
 * A fresh, migrated database for one test file, on the engine the Vitest project chose
 * (MALIPO_TEST_DB=sqlite|postgres). PostgreSQL tests get their own schema, dropped afterwards.
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { createDatabase, type DatabaseOptions, type Db, migrateToLatest } from "../../src/db/database.ts";

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function testEngine(): "sqlite" | "postgres" {
  return process.env.MALIPO_TEST_DB === "postgres" ? "postgres" : "sqlite";
}

export interface TestDb {
  db: Db;
  /** The DATABASE_URL (and schema) another process or a second connection would use. */
  url: string;
  schema: string | undefined;
  cleanup(): Promise<void>;
}

export async function createTestDb(engine = testEngine(), options: DatabaseOptions = {}): Promise<TestDb> {
  if (engine === "postgres") {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const db = createDatabase(TEST_PG_URL, { poolSize: 5, ...options, schema });
    await migrateToLatest(db);
    return {
      db,
      url: TEST_PG_URL,
      schema,
      async cleanup() {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db.kysely);
        await db.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "malipo-test-"));
  const url = join(dir, "test.sqlite");
  const db = createDatabase(url, options);
  await migrateToLatest(db);
  return {
    db,
    url,
    schema: undefined,
    async cleanup() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A DATABASE_URL for a child process (which knows nothing but its environment), empty and not yet
 * migrated: a SQLite file under `<dir>/data/`, or a fresh PostgreSQL schema that travels in the URL
 * as the connection's search_path. `dir` is a temporary directory for the process to work in.
 */
export interface ProcessTestDb {
  url: string;
  dir: string;
  /** A connection of the test's own, to look at what the process left behind. */
  open(): Db;
  cleanup(): Promise<void>;
}

export async function createProcessTestDb(engine = testEngine()): Promise<ProcessTestDb> {
  const dir = mkdtempSync(join(tmpdir(), "malipo-process-"));
  if (engine === "sqlite") {
    const url = join(dir, "data", "malipo.sqlite");
    return {
      url,
      dir,
      open: () => createDatabase(url),
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = createDatabase(TEST_PG_URL, { poolSize: 1 });
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.kysely);
  const url = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    dir,
    open: () => createDatabase(TEST_PG_URL, { schema }),
    async cleanup() {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.kysely);
      await admin.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

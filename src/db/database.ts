/**
 * The Kysely instance for either engine, chosen by DATABASE_URL: `postgres://…` (or `postgresql://…`)
 * for PostgreSQL; for SQLite a file path or `file:` URL (`:memory:` for an in-memory database), as
 * `parseDatabaseUrl` reads it. The same queries and the same migrations serve both.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { parseDatabaseUrl } from "./database-url.ts";
import type { Database } from "./schema.ts";

export type Engine = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  /** PostgreSQL only: the pool, for LISTEN/NOTIFY connections. */
  pgPool: pg.Pool | null;
  /** PostgreSQL only: the schema every connection uses (search_path). */
  schema: string | null;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL schema to use (created if missing); default `public`. */
  schema?: string;
  poolSize?: number;
}

export function createDatabase(url: string, options: DatabaseOptions = {}): Db {
  const target = parseDatabaseUrl(url);
  if (target.engine === "postgres") {
    const schema = options.schema ?? null;
    if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new Error(`Invalid schema name "${schema}"`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => {});
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely,
      engine: "postgres",
      pgPool: pool,
      schema: schema ?? "public",
      destroy: () => kysely.destroy(),
    };
  }
  const { file } = target;
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, engine: "sqlite", pgPool: null, schema: null, destroy: () => kysely.destroy() };
}

/** A unique-constraint violation on either engine, optionally on a given column. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown; detail?: unknown };
  const message = typeof e.message === "string" ? e.message : "";
  const unique =
    e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  if (!unique) return false;
  if (column === undefined) return true;
  const where = `${message} ${String(e.constraint ?? "")} ${String(e.detail ?? "")}`;
  return where.includes(column);
}

export { DatabaseUrlError, parseDatabaseUrl } from "./database-url.ts";
export { isMigrated, migrateToLatest } from "./migrator.ts";

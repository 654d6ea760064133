/**
 * The Kysely instance for either engine, chosen by DATABASE_URL: `postgres://…` (or `postgresql://…`)
 * for PostgreSQL; for SQLite a file path or `file:` URL (`:memory:` for an in-memory database), as
 * `parseDatabaseUrl` reads it. The same queries and the same migrations serve both. Either way a
 * statement is prepared once per connection and reused (SQLite: cached by SQL text; PostgreSQL:
 * named statements), within a bound (`statementCacheSize`).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { type Dialect, Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { parseDatabaseUrl } from "./database-url.ts";
import { namedStatementPool } from "./postgres-statements.ts";
import type { Database } from "./schema.ts";
import { cachingSqliteDatabase, type SqliteHandle } from "./sqlite-statements.ts";
import type { StatementCacheStats } from "./statement-cache.ts";
import { type WriteGroups, writeGroups } from "./write-groups.ts";

export type Engine = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  /** PostgreSQL only: the pool, for LISTEN/NOTIFY connections. */
  pgPool: pg.Pool | null;
  /** PostgreSQL only: the schema every connection uses (search_path). */
  schema: string | null;
  /** How the prepared statements are used: held now, prepared, reused (PostgreSQL: all connections). */
  statementStats(): StatementCacheStats;
  /** Short write transactions that arrive together share one commit (`write-groups.ts`). */
  writeGroups: WriteGroups;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL schema to use (created if missing); default `public`. */
  schema?: string;
  poolSize?: number;
  /** Prepared statements kept per connection (SQLite: LRU; PostgreSQL: named statements). */
  statementCacheSize?: number;
  /** Sees every statement run, with its parameters (tests look at query plans with it). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

function kyselyOver(dialect: Dialect, options: DatabaseOptions): Kysely<Database> {
  const { onQuery } = options;
  if (!onQuery) return new Kysely<Database>({ dialect });
  return new Kysely<Database>({
    dialect,
    log: (event) => {
      if (event.level === "query") onQuery(event.query.sql, event.query.parameters);
    },
  });
}

/**
 * Works sharing one commit at most: a group's last work waits for all before it. Smaller on
 * PostgreSQL, where each work's statements are round trips the later works wait through.
 */
const MAX_GROUP = { sqlite: 16, postgres: 8 } as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createDatabase(url: string, options: DatabaseOptions = {}): Db {
  const target = parseDatabaseUrl(url);
  if (target.engine === "postgres") {
    const schema = options.schema ?? null;
    if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => {});
    return postgresDb(pool, schema, options);
  }
  return sqliteDb(openSqlite(target.file), options);
}

/** A better-sqlite3 database with Malipo's settings (WAL, foreign keys, a wait for the write lock). */
export function openSqlite(file: string): SqliteDatabase.Database {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

/** The handle over an open SQLite database, its statements prepared once (`sqlite-statements.ts`). */
export function sqliteDb(sqlite: SqliteHandle, options: DatabaseOptions = {}): Db {
  const database = cachingSqliteDatabase(sqlite, options.statementCacheSize);
  const kysely = kyselyOver(new SqliteDialect({ database }), options);
  return {
    kysely,
    engine: "sqlite",
    pgPool: null,
    schema: null,
    statementStats: () => database.statementStats(),
    // One writer: one group at a time, the next formed from whatever arrived meanwhile.
    writeGroups: writeGroups(kysely, { concurrency: 1, maxGroup: MAX_GROUP.sqlite }),
    destroy: () => kysely.destroy(),
  };
}

/** The handle over a pg pool, its statements named (`postgres-statements.ts`). */
export function postgresDb(pool: pg.Pool, schema: string | null, options: DatabaseOptions = {}): Db {
  const named = namedStatementPool(pool, options.statementCacheSize);
  const kysely = kyselyOver(new PostgresDialect({ pool: named }), options);
  return {
    kysely,
    engine: "postgres",
    pgPool: pool,
    schema: schema ?? "public",
    statementStats: () => named.statementStats(),
    // Half the pool at most, so reads and other writes always find a connection.
    writeGroups: writeGroups(kysely, {
      concurrency: Math.max(1, Math.floor((pool.options.max ?? 10) / 2)),
      maxGroup: MAX_GROUP.postgres,
    }),
    destroy: () => kysely.destroy(),
  };
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

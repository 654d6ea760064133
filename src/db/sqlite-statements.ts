/**
 * better-sqlite3 as Kysely's SQLite dialect sees it, with the statements it prepares kept: Kysely's
 * driver calls `prepare` for every query it runs, and compiling the SQL again was a large share of
 * each request's CPU. Here each SQL text is prepared once and the statement reused (bounded LRU,
 * `StatementCache`); Kysely's driver does the rest (one connection, a mutex around it,
 * transactions and savepoints as SQL statements, which are cached like any other).
 */
import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from "kysely";
import { DEFAULT_STATEMENT_CACHE_SIZE, StatementCache, type StatementCacheStats } from "./statement-cache.ts";

/** The database as Kysely's driver sees it, with the cache's counts. */
export interface CachingSqliteDatabase extends KyselySqliteDatabase {
  statementStats(): StatementCacheStats;
}

/** The part of better-sqlite3 used here (an instrumented stand-in may be passed, as the benchmark does). */
export type SqliteHandle = Pick<SqliteDatabase.Database, "prepare" | "close">;

export function cachingSqliteDatabase(
  sqlite: SqliteHandle,
  size = DEFAULT_STATEMENT_CACHE_SIZE,
): CachingSqliteDatabase {
  const cache = new StatementCache<SqliteDatabase.Statement>(size);
  const prepare = (text: string) => sqlite.prepare(text);
  return {
    prepare(text: string): SqliteStatement {
      const statement = cache.get(text, prepare);
      // A statement still being iterated (a stream not yet drained) cannot be run again: a fresh
      // one serves this query and the cached one is left alone.
      return statement.busy ? sqlite.prepare(text) : statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
    statementStats: () => cache.stats(),
  };
}

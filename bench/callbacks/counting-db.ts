/**
 * Malipo's database handle, built as `createDatabase` builds it (same dialects, same statement
 * caches), with a counter on the driver underneath: every statement the engine runs, every one it
 * prepares (SQLite: `prepare`; PostgreSQL: an unnamed statement or a name new to its connection)
 * and every write transaction. Used to report statements and transactions per callback.
 */
import pg from "pg";
import type { Db } from "../../src/db/database.ts";
import type { SqliteHandle } from "../../src/db/sqlite-statements.ts";

export interface Counter {
  statements: number;
  /** Parsed and planned by the engine: SQLite `prepare`; PostgreSQL unnamed, or named for the first time on a connection. */
  prepares: number;
  /** Write transactions: explicit ones plus autocommit writes. */
  transactions: number;
  reset(): void;
}

export function newCounter(): Counter {
  return {
    statements: 0,
    prepares: 0,
    transactions: 0,
    reset() {
      this.statements = 0;
      this.prepares = 0;
      this.transactions = 0;
    },
  };
}

/** Per connection: inside an explicit transaction or not, to count autocommit writes as transactions. */
interface Session {
  inTransaction: boolean;
}

/** Counts a statement; a write transaction is an explicit BEGIN, or a write outside one (autocommit). */
function count(counter: Counter, session: Session, text: string) {
  counter.statements++;
  if (/^\s*begin\b/i.test(text)) {
    session.inTransaction = true;
    counter.transactions++;
  } else if (/^\s*(commit|rollback)\b/i.test(text)) session.inTransaction = false;
  else if (!session.inTransaction && /^\s*(insert|update|delete)\b/i.test(text)) counter.transactions++;
}

/** The database module the handle is built with: Malipo's own, from its sources or its build. */
export type DatabaseModule = Pick<
  typeof import("../../src/db/database.ts"),
  "openSqlite" | "sqliteDb" | "postgresDb"
>;

export function countingSqlite(database: DatabaseModule, file: string, counter: Counter): Db {
  const { openSqlite, sqliteDb } = database;
  const sqlite = openSqlite(file);
  // Kysely's SQLite driver runs one statement at a time on its one connection: one session.
  const session: Session = { inTransaction: false };
  const handle: SqliteHandle = {
    prepare: ((text: string) => {
      counter.prepares++;
      const statement = sqlite.prepare(text);
      const run = statement.run.bind(statement);
      const all = statement.all.bind(statement);
      statement.run = ((...args: unknown[]) => {
        count(counter, session, text);
        return run(...args);
      }) as typeof statement.run;
      statement.all = ((...args: unknown[]) => {
        count(counter, session, text);
        return all(...args);
      }) as typeof statement.all;
      return statement;
    }) as SqliteHandle["prepare"],
    close: () => sqlite.close(),
  };
  return sqliteDb(handle);
}

export function countingPostgres(
  database: DatabaseModule,
  url: string,
  schema: string,
  counter: Counter,
): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    const session: Session = { inTransaction: false };
    const named = new Set<string>();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const config =
        typeof first === "string" ? { text: first } : (first as { text?: string; name?: string });
      count(counter, session, config.text ?? "");
      // Parsed anew: an unnamed statement, or a name this connection has not prepared yet.
      if (!config.name || !named.has(config.name)) counter.prepares++;
      if (config.name) named.add(config.name);
      return query(...args);
    };
  });
  return database.postgresDb(pool, schema);
}

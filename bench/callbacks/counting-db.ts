/**
 * Malipo's database handle, built as `createDatabase` builds it, with a counter on the driver: every
 * statement the engine runs (SQLite: every `prepare`, since Kysely prepares each statement anew;
 * PostgreSQL: every `query`) and every transaction begun. Used to report statements and
 * transactions per callback.
 */
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Db } from "../../src/db/database.ts";
import type { Database } from "../../src/db/schema.ts";

export interface Counter {
  statements: number;
  /** SQLite: prepared anew; PostgreSQL: sent unnamed (parsed and planned again). */
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

export function countingSqlite(file: string, counter: Counter): Db {
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const prepare = sqlite.prepare.bind(sqlite);
  // Kysely's SQLite driver runs one statement at a time on its one connection: one session.
  const session: Session = { inTransaction: false };
  sqlite.prepare = ((text: string) => {
    count(counter, session, text);
    counter.prepares++;
    return prepare(text);
  }) as typeof sqlite.prepare;
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, engine: "sqlite", pgPool: null, schema: null, destroy: () => kysely.destroy() };
}

export function countingPostgres(url: string, schema: string, counter: Counter): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    const session: Session = { inTransaction: false };
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === "string" ? first : ((first as { text?: string })?.text ?? "");
      count(counter, session, text);
      if (typeof first === "string" || !(first as { name?: string })?.name) counter.prepares++;
      return query(...args);
    };
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, engine: "postgres", pgPool: pool, schema, destroy: () => kysely.destroy() };
}

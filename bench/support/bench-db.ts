/**
 * A database of its own for one benchmark run, on either engine: a temporary SQLite file, or a
 * fresh PostgreSQL database (Malipo uses the default schema of the database it is given) dropped
 * afterwards. Migrated as Malipo migrates; written and read directly by the benchmark.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { createDatabase, migrateToLatest } from "../../src/db/database.ts";

export type Engine = "sqlite" | "postgres";

export interface BenchDb {
  engine: Engine;
  /** What Malipo's DATABASE_URL is set to. */
  url: string;
  /** Runs SQL written with `?` placeholders (turned into `$n` on PostgreSQL). */
  run(sql: string, params?: unknown[]): Promise<void>;
  /** The first column of the first row, as a number. */
  count(sql: string, params?: unknown[]): Promise<number>;
  /** Inserts rows in batches, inside one transaction. */
  insertRows(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  drop(): Promise<void>;
}

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export async function createBenchDb(engine: Engine, postgresUrl: string): Promise<BenchDb> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "malipo-bench-"));
    const file = join(dir, "bench.sqlite");
    const migrating = createDatabase(file);
    await migrateToLatest(migrating);
    await migrating.destroy();
    const db = new SqliteDatabase(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    return {
      engine,
      url: file,
      run: async (sql, params = []) => void db.prepare(sql).run(...params),
      count: async (sql, params = []) => Number(Object.values(db.prepare(sql).get(...params) as object)[0]),
      insertRows: async (table, columns, rows) => {
        const insert = db.prepare(
          `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
        );
        db.transaction(() => {
          for (const row of rows) insert.run(...row);
        })();
      },
      drop: async () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const migrating = createDatabase(url.href);
  await migrateToLatest(migrating);
  await migrating.destroy();
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  return {
    engine,
    url: url.href,
    run: async (sql, params = []) => void (await client.query(numbered(sql), params)),
    count: async (sql, params = []) =>
      Number(Object.values((await client.query(numbered(sql), params)).rows[0] as object)[0]),
    insertRows: async (table, columns, rows) => {
      const BATCH = Math.floor(60_000 / columns.length);
      await client.query("BEGIN");
      for (let start = 0; start < rows.length; start += BATCH) {
        const batch = rows.slice(start, start + BATCH);
        const values = batch.map(
          (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
        );
        await client.query(
          `insert into ${table} (${columns.join(", ")}) values ${values.join(", ")}`,
          batch.flat(),
        );
      }
      await client.query("COMMIT");
    },
    drop: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

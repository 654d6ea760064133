/**
 * Statements prepared once and reused (SQLite: cached by SQL text; PostgreSQL: named statements),
 * with the same answers, transactions and errors as before, and within their bound.
 */
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "../../src/db/database.ts";
import { cachingSqliteDatabase } from "../../src/db/sqlite-statements.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

const engine = testEngine();

async function addUser(t: TestDb, id: string, email = `${id}@example.com`) {
  await t.db.kysely
    .insertInto("users")
    .values({
      id,
      email,
      name: "Statement Test",
      password_hash: "x",
      phone_number: null,
      role: "customer",
      created_at: "2026-01-15T09:00:00.000Z",
    })
    .execute();
}

const findUser = (t: TestDb, id: string) =>
  t.db.kysely.selectFrom("users").select(["id", "email"]).where("id", "=", id).executeTakeFirst();

describe(`prepared statements (${engine})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    // One connection on PostgreSQL, so what it holds can be looked at.
    t = await createTestDb(engine, { poolSize: 1 });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("a query run again is prepared once and answers for each run's parameters", async () => {
    for (const id of ["u_a", "u_b", "u_c"]) await addUser(t, id);
    await findUser(t, "u_a");
    const before = t.db.statementStats();
    for (const id of ["u_a", "u_b", "u_c", "u_missing"])
      expect((await findUser(t, id))?.email).toBe(id === "u_missing" ? undefined : `${id}@example.com`);
    const after = t.db.statementStats();
    expect(after.prepares - before.prepares).toBe(0);
    expect(after.hits - before.hits).toBe(4);
  });

  it("INSERT … RETURNING and UPDATE counts come back from a reused statement", async () => {
    for (const id of ["u_r1", "u_r2"]) {
      const row = await t.db.kysely
        .insertInto("users")
        .values({
          id,
          email: `${id}@example.com`,
          name: "R",
          password_hash: "x",
          phone_number: null,
          role: "customer",
          created_at: "2026-01-15T09:00:00.000Z",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      expect(row.id).toBe(id);
      const updated = await t.db.kysely
        .updateTable("users")
        .set({ name: "Renamed" })
        .where("id", "=", id)
        .executeTakeFirst();
      expect(Number(updated.numUpdatedRows)).toBe(1);
    }
  });

  it("transactions commit and roll back with reused BEGIN/COMMIT/ROLLBACK, and savepoints roll back their part", async () => {
    for (const round of [1, 2]) {
      await t.db.kysely.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ name: `commit ${round}` })
          .where("id", "=", "u_a")
          .execute();
      });
      await expect(
        t.db.kysely.transaction().execute(async (trx) => {
          await trx.updateTable("users").set({ name: "rolled back" }).where("id", "=", "u_a").execute();
          throw new Error("abandon");
        }),
      ).rejects.toThrow("abandon");
      const row = await t.db.kysely
        .selectFrom("users")
        .select("name")
        .where("id", "=", "u_a")
        .executeTakeFirst();
      expect(row?.name).toBe(`commit ${round}`);
    }
    const trx = await t.db.kysely.startTransaction().execute();
    await trx.updateTable("users").set({ name: "kept" }).where("id", "=", "u_b").execute();
    const inner = await trx.savepoint("part").execute();
    await inner.updateTable("users").set({ name: "undone" }).where("id", "=", "u_c").execute();
    await inner.rollbackToSavepoint("part").execute();
    await trx.commit().execute();
    const names = await t.db.kysely
      .selectFrom("users")
      .select(["id", "name"])
      .where("id", "in", ["u_b", "u_c"])
      .orderBy("id")
      .execute();
    expect(names).toEqual([
      { id: "u_b", name: "kept" },
      { id: "u_c", name: "Statement Test" },
    ]);
  });

  it("a failing statement fails every time with the engine's error, and stays usable", async () => {
    for (let i = 0; i < 2; i++) {
      const error = await addUser(t, `u_dup${i}`, "u_a@example.com").catch((e: unknown) => e);
      expect(isUniqueViolation(error, "email")).toBe(true);
    }
    await addUser(t, "u_after");
    expect((await findUser(t, "u_after"))?.id).toBe("u_after");
    // Inside a transaction too: it rolls back, and the connection serves the next one.
    await expect(
      t.db.kysely.transaction().execute(async (trx) => {
        await trx.updateTable("users").set({ name: "lost" }).where("id", "=", "u_b").execute();
        await trx
          .insertInto("users")
          .values({
            id: "u_dup_trx",
            email: "u_a@example.com",
            name: "x",
            password_hash: "x",
            phone_number: null,
            role: "customer",
            created_at: "2026-01-15T09:00:00.000Z",
          })
          .execute();
      }),
    ).rejects.toSatisfy((e: unknown) => isUniqueViolation(e, "email"));
    const row = await t.db.kysely
      .selectFrom("users")
      .select("name")
      .where("id", "=", "u_b")
      .executeTakeFirst();
    expect(row?.name).toBe("kept");
  });

  it("a statement that does not compile is refused every time and kept nowhere", async () => {
    const before = t.db.statementStats();
    for (let i = 0; i < 2; i++) await expect(sql`selec 1`.execute(t.db.kysely)).rejects.toThrow(/syntax/i);
    expect((await sql<{ n: number }>`select 1 as n`.execute(t.db.kysely)).rows[0]?.n).toBe(1);
    expect(t.db.statementStats().size).toBeLessThanOrEqual(before.size + 1);
  });
});

describe(`prepared statements within their bound (${engine})`, () => {
  let t: TestDb;
  const bound = 4;
  beforeAll(async () => {
    t = await createTestDb(engine, { poolSize: 1, statementCacheSize: bound });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("holds at most the bound however many different texts run, and every answer stays right", async () => {
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 12; i++) {
        const { rows } = await sql<{ n: number }>`select ${sql.lit(i)} + ${round} as n`.execute(t.db.kysely);
        expect(Number(rows[0]?.n)).toBe(i + round);
        expect(t.db.statementStats().size).toBeLessThanOrEqual(bound);
      }
    expect(t.db.statementStats().evictions).toBeGreaterThan(0);
  });

  if (engine === "postgres")
    it("a connection past the bound is closed when released: the server never holds more", async () => {
      const backends = new Set<number>();
      for (let i = 0; i < 12; i++) {
        await sql`select ${sql.lit(i)} * 2 as n`.execute(t.db.kysely);
        const { rows } = await sql<{ pid: number; held: string }>`
          select pg_backend_pid() as pid, (select count(*) from pg_prepared_statements) as held`.execute(
          t.db.kysely,
        );
        backends.add(Number(rows[0]?.pid));
        expect(Number(rows[0]?.held)).toBeLessThanOrEqual(bound);
      }
      expect(backends.size).toBeGreaterThan(1);
    });
});

if (engine === "postgres")
  describe("named statements (postgres)", () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine, { poolSize: 1 });
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it("are prepared on the server once, under a name from the text's hash", async () => {
      for (let i = 0; i < 3; i++) await sql`select 'named' as kind, ${i}::int as i`.execute(t.db.kysely);
      const { rows } = await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements where statement like '%''named'' as kind%'
          and statement not like '%pg_prepared_statements%'`.execute(t.db.kysely);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.name).toMatch(/^malipo_[0-9a-f]{40}$/);
    });

    it("a table whose columns changed under a prepared SELECT * fails that query once, then answers", async () => {
      await sql`create table statement_shape (a int)`.execute(t.db.kysely);
      await sql`insert into statement_shape values (1)`.execute(t.db.kysely);
      const read = () => sql<Record<string, unknown>>`select * from statement_shape`.execute(t.db.kysely);
      expect((await read()).rows).toEqual([{ a: 1 }]);
      await sql`alter table statement_shape add column b int`.execute(t.db.kysely);
      const first = await read().then(
        (r) => r.rows,
        (e: Error) => e.message,
      );
      // Either PostgreSQL re-planned it, or it refused once and the connection was retired.
      if (typeof first === "string") expect(first).toMatch(/cached plan/);
      else expect(first).toEqual([{ a: 1, b: null }]);
      expect((await read()).rows).toEqual([{ a: 1, b: null }]);
    });
  });

if (engine === "sqlite")
  describe("cached statements (sqlite)", () => {
    it("a statement still being iterated is not handed out again: the query gets a fresh one", () => {
      const raw = new SqliteDatabase(":memory:");
      const database = cachingSqliteDatabase(raw, 8);
      const text = "select value from json_each('[1,2,3]')";
      const streaming = database.prepare(text);
      const rows = streaming.iterate([]);
      expect(rows.next().value).toEqual({ value: 1 });
      const other = database.prepare(text);
      expect(other).not.toBe(streaming);
      expect(other.all([])).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
      rows.return?.();
      expect(database.prepare(text)).toBe(streaming);
      database.close();
    });
  });

/** Queries built and compiled once, then run with new values, on either engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledQuery } from "../../src/db/compiled-query.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

describe(`compiled queries (${testEngine()})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    for (const [id, phone] of [
      ["u_1", "254700000001"],
      ["u_2", null],
      ["u_3", "254700000003"],
    ] as const)
      await t.db.kysely
        .insertInto("users")
        .values({
          id,
          email: `${id}@example.com`,
          name: `User ${id}`,
          password_hash: "x",
          phone_number: phone,
          role: "customer",
          created_at: "2026-01-15T09:00:00.000Z",
        })
        .execute();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("is built once per shape and answers for each call's values", async () => {
    let builds = 0;
    const byPhone = compiledQuery((executor, a: { phone: string | null; role: "customer" }) => {
      builds++;
      const query = executor.selectFrom("users").select("id").where("role", "=", a.role).orderBy("id");
      return a.phone === null
        ? query.where("phone_number", "is", null)
        : query.where("phone_number", "=", a.phone);
    });
    const ids = async (phone: string | null) =>
      (await byPhone(t.db.kysely, { phone, role: "customer" })).rows.map((r) => r.id);
    expect(await ids("254700000001")).toEqual(["u_1"]);
    expect(await ids("254700000003")).toEqual(["u_3"]);
    expect(await ids("254799999999")).toEqual([]);
    expect(builds).toBe(1);
    // A null is another shape (IS NULL), built once too.
    expect(await ids(null)).toEqual(["u_2"]);
    expect(await ids(null)).toEqual(["u_2"]);
    expect(builds).toBe(2);
  });

  it("writes with nested values and runs inside a transaction, whose rollback undoes it", async () => {
    const rename = compiledQuery(
      (executor, a: { id: string; set: { name: string; phone_number: string | null } }) =>
        executor.updateTable("users").set(a.set).where("id", "=", a.id),
    );
    const result = await rename(t.db.kysely, { id: "u_1", set: { name: "Renamed", phone_number: null } });
    expect(Number(result.numAffectedRows)).toBe(1);
    await expect(
      t.db.kysely.transaction().execute(async (trx) => {
        await rename(trx, { id: "u_3", set: { name: "Never", phone_number: "254700000033" } });
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    const rows = await t.db.kysely
      .selectFrom("users")
      .select(["id", "name", "phone_number"])
      .where("id", "in", ["u_1", "u_3"])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { id: "u_1", name: "Renamed", phone_number: null },
      { id: "u_3", name: "User u_3", phone_number: "254700000003" },
    ]);
  });

  it("keeps the query's own constants, and refuses a builder that computes with a value", async () => {
    const customers = compiledQuery((executor, a: { prefix: string }) =>
      executor.selectFrom("users").select("id").where("role", "=", "customer").where("id", ">=", a.prefix),
    );
    expect((await customers(t.db.kysely, { prefix: "u_3" })).rows).toEqual([{ id: "u_3" }]);
    const computing = compiledQuery((executor, a: { id: string }) =>
      executor.selectFrom("users").select("id").where("id", "=", `${a.id}`),
    );
    await expect(computing(t.db.kysely, { id: "u_1" })).rejects.toThrow(
      /id was computed with while building/,
    );
  });
});

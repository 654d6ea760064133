/**
 * Group commit (src/db/write-groups.ts) on a real database, both engines: works that arrive
 * together share one transaction; a work that fails sinks no other (its group is rolled back and
 * each runs again alone); nothing of a failed work is ever written, nothing of a work twice.
 */

import type { Transaction } from "kysely";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/schema.ts";
import { type WriteGroups, writeGroups } from "../../src/db/write-groups.ts";
import { createTestDb, type TestDb } from "../support/db.ts";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
  await sql`create table wg_items (id varchar(40) primary key, n integer not null)`.execute(t.db.kysely);
});
afterEach(async () => {
  await sql`drop table wg_items`.execute(t.db.kysely);
  await t.cleanup();
});

const insert = (trx: Transaction<Database>, id: string, n = 1) =>
  sql`insert into wg_items (id, n) values (${id}, ${n})`.execute(trx);
const ids = async () =>
  (await sql<{ id: string }>`select id from wg_items order by id`.execute(t.db.kysely)).rows.map((r) => r.id);
const names = (n: number) => Array.from({ length: n }, (_, i) => `w${String(i).padStart(2, "0")}`);

describe("write groups", () => {
  let groups: WriteGroups;
  beforeEach(() => {
    groups = writeGroups(t.db.kysely, { concurrency: 1, maxGroup: 8 });
  });

  it("runs a lone work in a transaction of its own", async () => {
    const done = await groups.run(async (trx) => {
      await insert(trx, "solo");
      return "done";
    });
    expect(done).toBe("done");
    expect(await ids()).toEqual(["solo"]);
    expect(groups.stats()).toEqual({ groups: 0, grouped: 0, alone: 1, regrouped: 0 });
  });

  it("works that arrive together share transactions of at most maxGroup, and all commit", async () => {
    const seen = new Map<object, number>();
    const all = names(20);
    const results = await Promise.all(
      all.map((id) =>
        groups.run(async (trx) => {
          seen.set(trx, (seen.get(trx) ?? 0) + 1);
          await insert(trx, id);
          return id;
        }),
      ),
    );
    expect(results).toEqual(all);
    expect(await ids()).toEqual(all);
    const stats = groups.stats();
    expect(stats.grouped + stats.alone).toBe(20);
    expect(stats.groups).toBeGreaterThan(0);
    // Fewer transactions than works, none larger than the bound.
    expect(seen.size).toBeLessThan(20);
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(8);
  });

  it("a work that fails sinks no other, and nothing of it is written", async () => {
    const all = names(8);
    const settled = await Promise.allSettled(
      all.map((id) =>
        groups.run(async (trx) => {
          await insert(trx, id);
          if (id === "w03") throw new Error("refused");
          return id;
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(all.map((id) => (id === "w03" ? "rejected" : "fulfilled")));
    expect((settled[3] as PromiseRejectedResult).reason).toEqual(new Error("refused"));
    expect(await ids()).toEqual(all.filter((id) => id !== "w03"));
    expect(groups.stats().regrouped).toBeGreaterThan(0);
  });

  it("a unique key another work took (PostgreSQL aborts the whole transaction) fails that work alone", async () => {
    await sql`insert into wg_items (id, n) values ('taken', 0)`.execute(t.db.kysely);
    const settled = await Promise.allSettled(
      ["a", "taken", "b", "c"].map((id) => groups.run((trx) => insert(trx, id))),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(await ids()).toEqual(["a", "b", "c", "taken"]);
  });

  it("a work that failed in its group and succeeds alone is written once", async () => {
    const runs = new Map<string, number>();
    const all = names(6);
    await Promise.all(
      all.map((id) =>
        groups.run(async (trx) => {
          const run = (runs.get(id) ?? 0) + 1;
          runs.set(id, run);
          await insert(trx, id, run);
          // Loses a race the first time it runs, like a compare-and-set another writer beat.
          if (id === "w02" && run === 1) throw new Error("lost the race");
        }),
      ),
    );
    const rows = (
      await sql<{ id: string; n: number }>`select id, n from wg_items order by id`.execute(t.db.kysely)
    ).rows;
    expect(rows.map((r) => r.id)).toEqual(all);
    // Every row is the one of the work's last run.
    for (const r of rows) expect(Number(r.n)).toBe(runs.get(r.id));
  });

  it("refuses a bound that is not a whole number of at least one", () => {
    expect(() => writeGroups(t.db.kysely, { concurrency: 0, maxGroup: 8 })).toThrow(RangeError);
    expect(() => writeGroups(t.db.kysely, { concurrency: 1, maxGroup: 1.5 })).toThrow(RangeError);
  });
});

it("the database handle groups on its own (one writer on SQLite, half the pool on PostgreSQL)", async () => {
  const all = names(12);
  await Promise.all(all.map((id) => t.db.writeGroups.run((trx) => insert(trx, id))));
  expect(await ids()).toEqual(all);
  const stats = t.db.writeGroups.stats();
  expect(stats.grouped + stats.alone).toBe(12);
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { accountBalances, assertLedgerBalanced, ledgerSum, postTransfer } from "../../src/ledger/ledger.ts";
import { createTestDb, type TestDb, testEngine } from "../support/db.ts";

const at = new Date("2026-01-15T09:00:00.000Z");

describe(`ledger (${testEngine()})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await assertLedgerBalanced(t.db.kysely);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("reports balances as numbers on this engine", async () => {
    await postTransfer(t.db.kysely, {
      key: "num:1",
      kind: "fee_held",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: 250_000,
      at,
    });
    const balances = await accountBalances(t.db.kysely);
    expect(balances.mpesa_clearing).toBe(250_000);
    expect(balances.booking_fee_escrow).toBe(-250_000);
    expect(typeof (await ledgerSum(t.db.kysely))).toBe("number");
  });

  it("keeps a transaction usable after a duplicate key, so the rest of it commits", async () => {
    const input = {
      key: "dup:1",
      kind: "fee_held",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: 500,
      at,
    } as const;
    const first = await postTransfer(t.db.kysely, input);
    const outcome = await t.db.kysely.transaction().execute(async (trx) => {
      const again = await postTransfer(trx, input);
      // On PostgreSQL a failed INSERT would abort the transaction and this would throw.
      const next = await postTransfer(trx, {
        ...input,
        key: "dup:2",
        debit: "booking_fee_escrow",
        credit: "technician_payable",
      });
      return { again, next };
    });
    expect(outcome.again).toEqual({ transferId: first.transferId, posted: false });
    expect(outcome.next.posted).toBe(true);
    const balances = await accountBalances(t.db.kysely);
    expect(balances.technician_payable).toBe(-500);
  });

  it("posts a key once when two transactions race for it", async () => {
    const input = {
      key: "race:1",
      kind: "fee_held",
      debit: "mpesa_clearing",
      credit: "suspense",
      amount: 300,
      at,
    } as const;
    const results = await Promise.all(
      [0, 1, 2].map(() => t.db.kysely.transaction().execute((trx) => postTransfer(trx, input))),
    );
    expect(results.filter((r) => r.posted)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transferId)).size).toBe(1);
    const rows = await t.db.kysely
      .selectFrom("ledger_transfers")
      .select("id")
      .where("transfer_key", "=", "race:1")
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("sums to zero across a fee's whole life", async () => {
    const move = (
      key: string,
      debit: "mpesa_clearing" | "booking_fee_escrow",
      credit: "booking_fee_escrow" | "customer_refunds_payable",
    ) =>
      postTransfer(t.db.kysely, {
        key,
        kind: key.split(":")[0] as string,
        debit,
        credit,
        amount: 500,
        bookingFeeId: "fee_life",
        at,
      });
    await move("fee_held:life", "mpesa_clearing", "booking_fee_escrow");
    await move("fee_refunded:life", "booking_fee_escrow", "customer_refunds_payable");
    expect(await ledgerSum(t.db.kysely)).toBe(0);
    const transfers = await t.db.kysely
      .selectFrom("ledger_transfers")
      .select("kind")
      .where("booking_fee_id", "=", "fee_life")
      .execute();
    expect(transfers.map((x) => x.kind).sort()).toEqual(["fee_held", "fee_refunded"]);
  });
});

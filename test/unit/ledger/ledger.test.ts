import fc from "fast-check";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LedgerAccountCode } from "../../../src/db/schema.ts";
import {
  accountBalances,
  assertLedgerBalanced,
  LEDGER_ACCOUNT_CODES,
  LedgerError,
  ledgerSum,
  postTransfer,
} from "../../../src/ledger/ledger.ts";
import { createTestDb, type TestDb } from "../../support/db.ts";

const at = new Date("2026-01-15T09:00:00.000Z");

describe("ledger", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb("sqlite");
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("knows every account the database has", async () => {
    const rows = await t.db.kysely.selectFrom("ledger_accounts").select("code").execute();
    expect([...LEDGER_ACCOUNT_CODES].sort()).toEqual(rows.map((r) => r.code).sort());
  });

  it("posts a transfer as one debit and one credit of the same amount", async () => {
    const result = await postTransfer(t.db.kysely, {
      key: "fee_held:pay_1",
      kind: "fee_held",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: 500,
      transactionId: "pay_1",
      bookingFeeId: "fee_1",
      at,
    });
    expect(result.posted).toBe(true);
    const entries = await t.db.kysely
      .selectFrom("ledger_entries")
      .select(["account_code", "amount", "transfer_id", "created_at"])
      .orderBy("amount", "desc")
      .execute();
    expect(entries).toEqual([
      {
        account_code: "mpesa_clearing",
        amount: 500,
        transfer_id: result.transferId,
        created_at: at.toISOString(),
      },
      {
        account_code: "booking_fee_escrow",
        amount: -500,
        transfer_id: result.transferId,
        created_at: at.toISOString(),
      },
    ]);
    const transfer = await t.db.kysely.selectFrom("ledger_transfers").selectAll().executeTakeFirstOrThrow();
    expect(transfer).toMatchObject({
      transfer_key: "fee_held:pay_1",
      kind: "fee_held",
      amount: 500,
      transaction_id: "pay_1",
      booking_fee_id: "fee_1",
    });
    const balances = await accountBalances(t.db.kysely);
    expect(balances).toEqual({
      mpesa_clearing: 500,
      booking_fee_escrow: -500,
      suspense: 0,
      customer_refunds_payable: 0,
      technician_payable: 0,
      platform_revenue: 0,
    });
    expect(await ledgerSum(t.db.kysely)).toBe(0);
    await assertLedgerBalanced(t.db.kysely);
  });

  it("posts a key once: a repeat answers posted=false with the first transfer's id", async () => {
    const input = {
      key: "k1",
      kind: "fee_held",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: 500,
      at,
    } as const;
    const first = await postTransfer(t.db.kysely, input);
    const again = await postTransfer(t.db.kysely, { ...input, amount: 900 });
    expect(again).toEqual({ transferId: first.transferId, posted: false });
    expect((await accountBalances(t.db.kysely)).mpesa_clearing).toBe(500);
    const count = await t.db.kysely
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it("refuses amounts that are not positive whole shillings and self-transfers", async () => {
    const base = { key: "bad", kind: "x", debit: "mpesa_clearing", credit: "suspense", at } as const;
    for (const amount of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])
      await expect(postTransfer(t.db.kysely, { ...base, amount })).rejects.toThrow(LedgerError);
    await expect(postTransfer(t.db.kysely, { ...base, amount: 1, credit: "mpesa_clearing" })).rejects.toThrow(
      LedgerError,
    );
    await expect(postTransfer(t.db.kysely, { ...base, key: "", amount: 1 })).rejects.toThrow(LedgerError);
    expect(await t.db.kysely.selectFrom("ledger_transfers").selectAll().execute()).toEqual([]);
  });

  it("rolls a posting back with the transaction it was part of", async () => {
    await expect(
      t.db.kysely.transaction().execute(async (trx) => {
        await postTransfer(trx, {
          key: "k",
          kind: "x",
          debit: "mpesa_clearing",
          credit: "suspense",
          amount: 5,
          at,
        });
        throw new Error("state change failed");
      }),
    ).rejects.toThrow("state change failed");
    expect(await accountBalances(t.db.kysely)).toMatchObject({ mpesa_clearing: 0, suspense: 0 });
  });

  it("detects a lopsided transfer and a ledger that does not sum to zero", async () => {
    const { transferId } = await postTransfer(t.db.kysely, {
      key: "k",
      kind: "x",
      debit: "mpesa_clearing",
      credit: "booking_fee_escrow",
      amount: 500,
      at,
    });
    await assertLedgerBalanced(t.db.kysely);
    await sql`update ledger_entries set amount = -400 where transfer_id = ${transferId} and amount < 0`.execute(
      t.db.kysely,
    );
    await expect(assertLedgerBalanced(t.db.kysely)).rejects.toThrow(/transfer k: 2 entries, net 100/);
    await expect(assertLedgerBalanced(t.db.kysely)).rejects.toThrow(/sum to 100/);
  });

  it("detects a transfer that lost its entries", async () => {
    const { transferId } = await postTransfer(t.db.kysely, {
      key: "k",
      kind: "x",
      debit: "suspense",
      credit: "platform_revenue",
      amount: 7,
      at,
    });
    await t.db.kysely.deleteFrom("ledger_entries").where("transfer_id", "=", transferId).execute();
    await expect(assertLedgerBalanced(t.db.kysely)).rejects.toThrow(/0 entries/);
  });

  it("keeps balances equal to a model and the sum at zero for any sequence of transfers", async () => {
    const account = fc.constantFrom(...LEDGER_ACCOUNT_CODES);
    const transfer = fc
      .record({
        debit: account,
        credit: account,
        amount: fc.integer({ min: 1, max: 250_000 }),
        key: fc.integer({ min: 0, max: 15 }),
      })
      .filter((x) => x.debit !== x.credit);
    await fc.assert(
      fc.asyncProperty(fc.array(transfer, { maxLength: 25 }), async (transfers) => {
        await t.db.kysely.deleteFrom("ledger_entries").execute();
        await t.db.kysely.deleteFrom("ledger_transfers").execute();
        const model = Object.fromEntries(LEDGER_ACCOUNT_CODES.map((c) => [c, 0])) as Record<
          LedgerAccountCode,
          number
        >;
        const seen = new Set<number>();
        for (const x of transfers) {
          const result = await postTransfer(t.db.kysely, {
            key: `k${x.key}`,
            kind: "prop",
            debit: x.debit,
            credit: x.credit,
            amount: x.amount,
            at,
          });
          expect(result.posted).toBe(!seen.has(x.key));
          if (!seen.has(x.key)) {
            seen.add(x.key);
            model[x.debit] += x.amount;
            model[x.credit] -= x.amount;
          }
        }
        expect(await accountBalances(t.db.kysely)).toEqual(model);
        expect(await ledgerSum(t.db.kysely)).toBe(0);
        await assertLedgerBalanced(t.db.kysely);
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * The books invariants (escrow.md, "Where the money goes"), checked after every test that moves
 * money and at the end of a chaos run: each liability account holds exactly what the rows say is
 * owed (the ledger's own balance is `assertLedgerBalanced` in ledger.ts):
 *   escrow                   = Σ held booking fees
 *   technician_payable       = Σ payouts not yet succeeded
 *   customer_refunds_payable = Σ refunds not yet succeeded + overpayments owed without a refund yet
 *   platform_revenue         = Σ released fees − Σ their payouts (the commission kept)
 * Balances are credits (negative in the ledger's signed entries), so each is compared negated.
 */
import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../db/schema.ts";
import { accountBalances } from "./ledger.ts";

// PostgreSQL answers SUM over integers as a bigint string; both engines answer NULL over no rows.
async function sum(executor: Executor, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await (query as RawBuilder<{ total: string | number | null }>).execute(executor);
  return Number(rows[0]?.total ?? 0);
}

/** What is wrong with the books beyond the ledger's own balance; empty when they agree. */
export async function booksProblems(executor: Executor): Promise<string[]> {
  const balances = await accountBalances(executor);
  const held = await sum(executor, sql`SELECT sum(amount) AS total FROM booking_fees WHERE status = 'held'`);
  const released = await sum(
    executor,
    sql`SELECT sum(amount) AS total FROM booking_fees WHERE status = 'released'`,
  );
  const payoutsOwed = await sum(
    executor,
    sql`SELECT sum(amount) AS total FROM payouts WHERE status <> 'succeeded'`,
  );
  const payoutsOfReleased = await sum(
    executor,
    sql`SELECT sum(p.amount) AS total FROM payouts p JOIN booking_fees f ON f.id = p.booking_fee_id
        WHERE f.status = 'released'`,
  );
  const refundsOwed = await sum(
    executor,
    sql`SELECT sum(amount) AS total FROM refunds WHERE status <> 'succeeded'`,
  );
  const overpaymentsWithoutRefund = await sum(
    executor,
    sql`SELECT sum(t.amount) AS total FROM ledger_transfers t
        WHERE t.kind = 'overpayment_refund_owed'
          AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.transaction_id = t.transaction_id)`,
  );
  const expected: Array<[string, number, number]> = [
    ["booking_fee_escrow (Σ held fees)", -balances.booking_fee_escrow, held],
    ["technician_payable (Σ payouts not yet succeeded)", -balances.technician_payable, payoutsOwed],
    [
      "customer_refunds_payable (Σ refunds not yet succeeded + overpayments owed)",
      -balances.customer_refunds_payable,
      refundsOwed + overpaymentsWithoutRefund,
    ],
    [
      "platform_revenue (Σ released fees − their payouts)",
      -balances.platform_revenue,
      released - payoutsOfReleased,
    ],
  ];
  return expected
    .filter(([, actual, want]) => actual !== want)
    .map(([what, actual, want]) => `${what}: ledger says ${actual}, rows say ${want}`);
}

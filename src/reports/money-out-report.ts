/**
 * Money out of escrow for the admin dashboard (design: escrow.md, "Where the money goes"): how much
 * reached technicians (payouts paid) and customers (refunds paid) in a time range, the commission
 * the platform kept on fees released in it, and — whatever the range — what is owed right now and
 * the payouts and refunds behind it. Amounts come from the ledger (its transfers in the range, its
 * balances now), counts from the payout and refund rows, so the figures are the books' own.
 */
import { type Kysely, sql } from "kysely";
import type { Database, PayoutStatus } from "../db/schema.ts";
import { accountBalances } from "../ledger/ledger.ts";
import { PAYOUT_STATUSES } from "../payouts/state-machine.ts";

export interface MoneyTotal {
  /** Whole KES. */
  amount: number;
  count: number;
}

export interface MoneyOutReport {
  from: string;
  /** Exclusive end of the range. */
  to: string;
  currency: "KES";
  /** Payouts M-Pesa confirmed in the range (ledger: technician_payable → mpesa_clearing). */
  paidOut: MoneyTotal;
  /** Refunds M-Pesa confirmed in the range (ledger: customer_refunds_payable → mpesa_clearing). */
  refunded: MoneyTotal;
  /** Commission kept on fees released in the range (ledger: escrow → platform_revenue). */
  commission: MoneyTotal;
  /** Now, whatever the range: what the ledger holds for others. */
  owed: {
    /** Released to technicians, not yet paid out. */
    technicianPayable: number;
    /** Owed back to customers, not yet refunded. */
    customerRefundsPayable: number;
    /** Booking fees paid and held until their job ends. */
    heldInEscrow: number;
  };
  /** Every payout now, by status; `awaitingApproval` of the queued ones wait for an admin. */
  payouts: { counts: Record<PayoutStatus, number>; awaitingApproval: number };
  /** Every refund now, by status. */
  refunds: { counts: Record<PayoutStatus, number> };
}

/** The ledger kinds the range's totals are read from (posted by payout-apply.ts and escrow.ts). */
const KINDS = { paidOut: "payout_paid", refunded: "refund_paid", commission: "fee_commission" } as const;

// PostgreSQL answers COUNT and SUM over integers as bigint strings.
type Counted = string | number | bigint | null;

/** Balances are signed (debit positive): money the ledger holds for others is a credit, shown positive. */
const credit = (balance: number) => (balance === 0 ? 0 : -balance);

function zeroCounts(): Record<PayoutStatus, number> {
  return Object.fromEntries(PAYOUT_STATUSES.map((status) => [status, 0])) as Record<PayoutStatus, number>;
}

async function countsByStatus(
  executor: Kysely<Database>,
  table: "payouts" | "refunds",
): Promise<Record<PayoutStatus, number>> {
  const rows = await executor
    .selectFrom(table)
    .select(["status", sql<Counted>`count(*)`.as("n")])
    .groupBy("status")
    .execute();
  const counts = zeroCounts();
  for (const row of rows) counts[row.status] = Number(row.n ?? 0);
  return counts;
}

export async function moneyOutReport(
  executor: Kysely<Database>,
  range: { from: Date; to: Date },
): Promise<MoneyOutReport> {
  const from = range.from.toISOString();
  const to = range.to.toISOString();
  const [moved, balances, payoutCounts, refundCounts, awaiting] = await Promise.all([
    executor
      .selectFrom("ledger_transfers")
      .select(["kind", sql<Counted>`count(*)`.as("n"), sql<Counted>`sum(amount)`.as("total")])
      .where("kind", "in", Object.values(KINDS))
      .where("created_at", ">=", from)
      .where("created_at", "<", to)
      .groupBy("kind")
      .execute(),
    accountBalances(executor),
    countsByStatus(executor, "payouts"),
    countsByStatus(executor, "refunds"),
    executor
      .selectFrom("payouts")
      .select(sql<Counted>`count(*)`.as("n"))
      .where("status", "=", "queued")
      .where("approval_required", "=", 1)
      .where("approved_at", "is", null)
      .executeTakeFirst(),
  ]);
  const total = (kind: string): MoneyTotal => {
    const row = moved.find((r) => r.kind === kind);
    return { amount: Number(row?.total ?? 0), count: Number(row?.n ?? 0) };
  };
  return {
    from,
    to,
    currency: "KES",
    paidOut: total(KINDS.paidOut),
    refunded: total(KINDS.refunded),
    commission: total(KINDS.commission),
    owed: {
      technicianPayable: credit(balances.technician_payable),
      customerRefundsPayable: credit(balances.customer_refunds_payable),
      heldInEscrow: credit(balances.booking_fee_escrow),
    },
    payouts: { counts: payoutCounts, awaitingApproval: Number(awaiting?.n ?? 0) },
    refunds: { counts: refundCounts },
  };
}

/**
 * Reads our side of a statement (our-records.ts) in a few statements: the payments, payouts and
 * refunds its receipts name, the refunds its reversals name by the receipt they reverse, the
 * receipt-less attempts of the bookings its unknown Paid In lines name by account reference, and the
 * records of the period whose money moved. And the ledger's mpesa_clearing movement in the period.
 */
import { sql } from "kysely";
import type { Executor, PaymentTransactionRow, PayoutRow, RefundRow } from "../db/schema.ts";
import { accountReferenceFor } from "../payments/push-request.ts";
import type { OurMoneyOut, OurPayment, OurRecords, Period } from "./our-records.ts";
import type { Statement } from "./statement.ts";

/** Bound parameters per IN list (well under SQLite's and PostgreSQL's limits). */
const CHUNK = 500;

function chunks<T>(values: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

const iso = (at: string) => new Date(at).toISOString();

function toPayment(row: PaymentTransactionRow): OurPayment {
  return {
    id: row.id,
    bookingId: row.booking_id,
    status: row.status,
    amount: row.amount,
    paidAmount: row.paid_amount,
    receipt: row.mpesa_receipt_number,
    phone: row.phone_number,
    accountReference: accountReferenceFor(row.booking_id),
    // M-Pesa's own time when the callback told us; the statement is in its time too.
    paidAt: row.mpesa_transaction_date ?? row.completed_at,
    createdAt: row.created_at,
  };
}

function toMoneyOut(
  item: { kind: "payout"; row: PayoutRow } | { kind: "refund"; row: RefundRow },
): OurMoneyOut {
  const { row } = item;
  return {
    kind: item.kind,
    id: row.id,
    bookingId: row.booking_id,
    status: row.status,
    amount: row.amount,
    receipt: row.receipt,
    originalReceipt: item.kind === "refund" ? item.row.original_receipt : null,
    completedAt: row.completed_at,
  };
}

/** `BK1A2B3C4D` → the booking-id suffix it was made from (accountReferenceFor), or null. */
export function bookingSuffixOf(accountNumber: string): string | null {
  const match = /^BK([0-9A-Z]{8})$/.exec(accountNumber.trim().toUpperCase());
  return match?.[1] ? match[1].toLowerCase() : null;
}

export async function loadOurRecords(
  executor: Executor,
  statement: Statement,
  period: Period | null,
): Promise<OurRecords> {
  const payments = new Map<string, PaymentTransactionRow>();
  const payouts = new Map<string, PayoutRow>();
  const refunds = new Map<string, RefundRow>();
  const receipts = [...new Set(statement.lines.map((l) => l.receipt).filter((r) => r.length > 0))];
  const linked = [
    ...new Set(
      statement.lines
        .filter((l) => l.kind === "reversal_out" && l.linkedTransactionId.length > 0)
        .map((l) => l.linkedTransactionId),
    ),
  ];
  for (const part of chunks(receipts)) {
    for (const row of await executor
      .selectFrom("payment_transactions")
      .selectAll()
      .where("mpesa_receipt_number", "in", part)
      .execute())
      payments.set(row.id, row);
    for (const row of await executor.selectFrom("payouts").selectAll().where("receipt", "in", part).execute())
      payouts.set(row.id, row);
    for (const row of await executor.selectFrom("refunds").selectAll().where("receipt", "in", part).execute())
      refunds.set(row.id, row);
  }
  for (const part of chunks(linked))
    for (const row of await executor
      .selectFrom("refunds")
      .selectAll()
      .where("original_receipt", "in", part)
      .execute())
      refunds.set(row.id, row);

  // Paid In lines whose receipt we do not hold: the attempts of the bookings they name.
  const known = new Set([...payments.values()].map((p) => p.mpesa_receipt_number));
  const suffixes = [
    ...new Set(
      statement.lines
        .filter((l) => l.kind === "payment_in" && !known.has(l.receipt))
        .flatMap((l) => bookingSuffixOf(l.accountNumber) ?? []),
    ),
  ];
  // A suffix is not indexable; these lines are few (money we never heard of).
  for (const part of chunks(suffixes, 50))
    for (const row of await executor
      .selectFrom("payment_transactions")
      .selectAll()
      .where("mpesa_receipt_number", "is", null)
      .where((eb) => eb.or(part.map((suffix) => eb("booking_id", "like", `%${suffix}`))))
      .execute())
      payments.set(row.id, row);

  if (period !== null) {
    const from = iso(period.from);
    const to = iso(period.to);
    for (const row of await executor
      .selectFrom("payment_transactions")
      .selectAll()
      .where("paid_amount", "is not", null)
      .where(sql<string>`coalesce(mpesa_transaction_date, completed_at)`, ">=", from)
      .where(sql<string>`coalesce(mpesa_transaction_date, completed_at)`, "<=", to)
      .execute())
      payments.set(row.id, row);
    for (const [table, into] of [
      ["payouts", payouts],
      ["refunds", refunds],
    ] as const)
      for (const row of await executor
        .selectFrom(table)
        .selectAll()
        .where("status", "=", "succeeded")
        .where("completed_at", ">=", from)
        .where("completed_at", "<=", to)
        .execute())
        (into as Map<string, PayoutRow | RefundRow>).set(row.id, row);
  }
  return {
    payments: [...payments.values()].sort((a, b) => a.created_at.localeCompare(b.created_at)).map(toPayment),
    moneyOut: [
      ...[...payouts.values()].map((row) => toMoneyOut({ kind: "payout", row })),
      ...[...refunds.values()].map((row) => toMoneyOut({ kind: "refund", row })),
    ],
  };
}

/** Σ of mpesa_clearing's entries in the period, whole KES (0 without a period). */
export async function clearingMovement(executor: Executor, period: Period | null): Promise<number> {
  if (period === null) return 0;
  const row = await executor
    .selectFrom("ledger_entries")
    .select(sql<string | number | null>`sum(amount)`.as("total"))
    .where("account_code", "=", "mpesa_clearing")
    .where("created_at", ">=", iso(period.from))
    .where("created_at", "<=", iso(period.to))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * Money found on the M-Pesa statement with no payment here (statement reconciliation's
 * `missing_here`), put on the books the way any payment is: a `paid` event through `applyWithin`,
 * in the CALLER's transaction (the one that records the admin's decision), so the state machine
 * decides the ledger, the fee, the booking, the event rows and the webhooks exactly as for a
 * callback. Nothing here posts to the ledger itself.
 * - `pay_fee`: the money pays the booking's fee — the receipt-less failed or pending attempt it
 *   probably paid (a push whose answer and callback were lost), else a new attempt. The fee is held
 *   (escrow), or, when it is no longer payable, the money is owed back like any overpayment.
 * - `refund`: a new attempt under review receives the money (suspense), and the admin's decision
 *   `admin_resolve refund` moves it to customer_refunds_payable (suspense-decision.ts).
 * A receipt is recorded once (UNIQUE): found money can never be counted twice, nor a late callback
 * of the same payment after it.
 */
import { toDarajaTimestamp } from "../daraja/timestamp.ts";
import type { Executor, PaymentTransactionRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import {
  findTransaction,
  insertPaymentEvent,
  insertTransaction,
  newPaymentRow,
} from "./payment.repository.ts";
import { type ApplyContext, type ApplyOutcome, announceApplied, applyWithin } from "./payment-apply.ts";
import { findPaymentForApply } from "./payment-facts.repository.ts";
import type { PaymentEvent } from "./state-machine.ts";

export interface FoundMoney {
  receipt: string;
  /** Whole KES. */
  amount: number;
  /** When M-Pesa completed it (the statement's Completion Time). */
  paidAt: string;
  /** The best number we have for the payer (the statement's, the attempt's, or the customer's). */
  phone: string;
}

export interface FoundMoneyUse {
  decision: "pay_fee" | "refund";
  bookingId: string;
  /** pay_fee: a receipt-less failed or pending attempt of this booking this money probably paid. */
  attemptId: string | null;
  adminId: string;
  note: string;
  /** What found it (the discrepancy), for the event rows. */
  foundBy: string;
}

export interface FoundMoneyCredited {
  /** The payment as it now stands. */
  transaction: PaymentTransactionRow;
  /** Call after commit: metrics, live views and logs hear of the applied events. */
  announce(): void;
}

export class FoundMoneyRefused extends Error {}

export async function creditFoundMoney(
  ctx: ApplyContext,
  trx: Executor,
  money: FoundMoney,
  use: FoundMoneyUse,
): Promise<FoundMoneyCredited> {
  const at = ctx.clock.now();
  const transactionId = (await usableAttempt(trx, use)) ?? (await newFoundAttempt(trx, money, use, at));
  const applied: Array<{ event: PaymentEvent; outcome: ApplyOutcome }> = [];
  const apply = async (event: PaymentEvent) => {
    const read = await findPaymentForApply(trx, transactionId);
    if (!read) throw new Error(`payment ${transactionId} vanished`);
    const outcome = await applyWithin(ctx, trx, read, event, "statement");
    if (!outcome.applied) throw new FoundMoneyRefused(outcome.reason);
    applied.push({ event, outcome });
  };
  await apply({
    type: "paid",
    facts: {
      resultCode: "0",
      resultDesc: "Found on the M-Pesa statement",
      receipt: money.receipt,
      amount: money.amount,
      // The statement seldom shows the full number: the attempt's own is kept.
      phone: null,
      transactionDate: toDarajaTimestamp(new Date(money.paidAt)),
    },
  });
  if (use.decision === "refund")
    await apply({ type: "admin_resolve", action: "refund", adminId: use.adminId, note: use.note });
  const transaction = await findTransaction(trx, transactionId);
  if (!transaction) throw new Error(`payment ${transactionId} vanished`);
  return {
    transaction,
    announce: () => {
      for (const { event, outcome } of applied) announceApplied(ctx, event, "statement", outcome);
    },
  };
}

/** The attempt to credit, when it is this booking's and has no money yet; null: make a new one. */
async function usableAttempt(trx: Executor, use: FoundMoneyUse): Promise<string | null> {
  if (use.decision !== "pay_fee" || use.attemptId === null) return null;
  const row = await findTransaction(trx, use.attemptId);
  if (!row || row.booking_id !== use.bookingId) return null;
  if (row.paid_amount !== null || row.mpesa_receipt_number !== null) return null;
  return row.status === "failed" || row.status === "pending" ? row.id : null;
}

/** A new attempt for the found money: `pending` to pay the fee, `needs_review` to refund it. */
async function newFoundAttempt(trx: Executor, money: FoundMoney, use: FoundMoneyUse, at: Date) {
  const found = await trx
    .selectFrom("bookings as b")
    .innerJoin("booking_fees as f", "f.booking_id", "b.id")
    .select(["b.customer_id", "f.id as fee_id", "f.amount as fee_amount"])
    .where("b.id", "=", use.bookingId)
    .executeTakeFirst();
  if (!found) throw new FoundMoneyRefused(`no booking ${use.bookingId}`);
  const id = newId("pay", at.getTime());
  const iso = at.toISOString();
  const status = use.decision === "pay_fee" ? "pending" : "needs_review";
  await insertTransaction(
    trx,
    newPaymentRow({
      id,
      booking_id: use.bookingId,
      booking_fee_id: found.fee_id,
      user_id: found.customer_id,
      phone_number: money.phone,
      // To pay the fee it must be the fee (the caller checked); to refund, what came.
      amount: use.decision === "pay_fee" ? found.fee_amount : money.amount,
      currency: "KES",
      status,
      // Never an open attempt: it is settled by the `paid` event in this same transaction.
      open_fee_key: null,
      failure_reason: use.decision === "refund" ? "found on the M-Pesa statement; to be refunded" : null,
      created_at: iso,
    }),
  );
  await insertPaymentEvent(trx, {
    transactionId: id,
    bookingId: use.bookingId,
    type: "found_on_statement",
    from: null,
    to: status,
    data: {
      source: "statement",
      receipt: money.receipt,
      amount: money.amount,
      foundBy: use.foundBy,
      decision: use.decision,
      adminId: use.adminId,
      note: use.note,
    },
    at,
  });
  return id;
}

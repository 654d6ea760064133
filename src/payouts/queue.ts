/**
 * Creating payouts and refunds, always inside the caller's transaction (the one that moves the
 * money into the payable account), so an item exists exactly when its money is owed. Idempotent by
 * construction: one payout per booking fee, one refund per payment transaction (UNIQUE); asking
 * again answers the existing row and writes nothing.
 */
import type { Executor, PayoutRow, PayoutStatus, RefundRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { insertPayoutEvent } from "./payout.repository.ts";

export interface NewPayout {
  bookingId: string;
  bookingFeeId: string;
  technicianId: string;
  /** Canonical MSISDN the B2C goes to. */
  phoneNumber: string;
  amount: number;
  /** PAYOUT_APPROVAL=admin: held in `queued` until an admin approves. */
  approvalRequired: boolean;
  at: Date;
}

export interface NewRefund {
  bookingId: string;
  bookingFeeId: string;
  customerId: string;
  /** The payment to reverse. */
  transactionId: string;
  phoneNumber: string;
  amount: number;
  /** Its M-Pesa receipt; without one a Reversal cannot be asked for, so a person must decide. */
  originalReceipt: string | null;
  reason: string;
  at: Date;
}

function submissionColumns(status: PayoutStatus, at: string, failureReason: string | null) {
  return {
    currency: "KES",
    status,
    approved_by: null,
    approved_at: null,
    attempt: 1,
    failures: 0,
    originator_conversation_id: null,
    conversation_id: null,
    receipt: null,
    result_code: null,
    result_desc: null,
    failure_reason: failureReason,
    submit_started_at: null,
    submitted_at: null,
    next_check_at: null,
    lease_owner: null,
    lease_until: null,
    created_at: at,
    updated_at: at,
    completed_at: null,
  };
}

/** The payout of a released fee's technician share (status `queued`). */
export async function queuePayout(executor: Executor, input: NewPayout): Promise<PayoutRow> {
  const id = newId("pyt", input.at.getTime());
  const inserted = await executor
    .insertInto("payouts")
    .values({
      id,
      booking_id: input.bookingId,
      booking_fee_id: input.bookingFeeId,
      technician_id: input.technicianId,
      phone_number: input.phoneNumber,
      amount: input.amount,
      approval_required: input.approvalRequired ? 1 : 0,
      ...submissionColumns("queued", input.at.toISOString(), null),
    })
    .onConflict((oc) => oc.column("booking_fee_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted)
    await insertPayoutEvent(executor, {
      ref: { kind: "payout", id },
      type: "created",
      from: null,
      to: "queued",
      actorId: null,
      data: { amount: input.amount, approvalRequired: input.approvalRequired },
      at: input.at,
    });
  return executor
    .selectFrom("payouts")
    .selectAll()
    .where("booking_fee_id", "=", input.bookingFeeId)
    .executeTakeFirstOrThrow();
}

export const MISSING_RECEIPT_REASON =
  "the payment's M-Pesa receipt is unknown, so it cannot be reversed automatically";

/** The refund of a payment (status `queued`, or `needs_review` when its receipt is unknown). */
export async function queueRefund(executor: Executor, input: NewRefund): Promise<RefundRow> {
  const id = newId("rfd", input.at.getTime());
  const status: PayoutStatus = input.originalReceipt === null ? "needs_review" : "queued";
  const inserted = await executor
    .insertInto("refunds")
    .values({
      id,
      booking_id: input.bookingId,
      booking_fee_id: input.bookingFeeId,
      customer_id: input.customerId,
      transaction_id: input.transactionId,
      original_receipt: input.originalReceipt,
      reason: input.reason,
      phone_number: input.phoneNumber,
      amount: input.amount,
      approval_required: 0,
      ...submissionColumns(
        status,
        input.at.toISOString(),
        status === "queued" ? null : MISSING_RECEIPT_REASON,
      ),
    })
    .onConflict((oc) => oc.column("transaction_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted)
    await insertPayoutEvent(executor, {
      ref: { kind: "refund", id },
      type: "created",
      from: null,
      to: status,
      actorId: null,
      data: { amount: input.amount, reason: input.reason },
      at: input.at,
    });
  return executor
    .selectFrom("refunds")
    .selectAll()
    .where("transaction_id", "=", input.transactionId)
    .executeTakeFirstOrThrow();
}

/**
 * Refunds made without a receipt (`needs_review`, MISSING_RECEIPT_REASON, not yet touched by a
 * person) whose payment has learnt its receipt since — a late or repeated callback brought it: each
 * takes the receipt and is queued for its Reversal (compare-and-set: a person's decision wins).
 */
export async function adoptLearntReceipts(
  executor: Executor,
  input: { at: Date; limit: number },
): Promise<RefundRow[]> {
  const waiting = await executor
    .selectFrom("refunds as r")
    .innerJoin("payment_transactions as p", "p.id", "r.transaction_id")
    .select(["r.id", "p.mpesa_receipt_number as receipt"])
    .where("r.status", "=", "needs_review")
    .where("r.original_receipt", "is", null)
    .where("r.failure_reason", "=", MISSING_RECEIPT_REASON)
    .where("r.attempt", "=", 1)
    .where("p.mpesa_receipt_number", "is not", null)
    .limit(input.limit)
    .execute();
  const queued: RefundRow[] = [];
  const at = input.at.toISOString();
  for (const { id, receipt } of waiting) {
    const row = await executor
      .updateTable("refunds")
      .set({ original_receipt: receipt, status: "queued", failure_reason: null, updated_at: at })
      .where("id", "=", id)
      .where("status", "=", "needs_review")
      .where("original_receipt", "is", null)
      .where("failure_reason", "=", MISSING_RECEIPT_REASON)
      .returningAll()
      .executeTakeFirst();
    if (!row) continue;
    await insertPayoutEvent(executor, {
      ref: { kind: "refund", id },
      type: "receipt_learnt",
      from: "needs_review",
      to: "queued",
      actorId: null,
      data: { originalReceipt: receipt },
      at: input.at,
    });
    queued.push(row);
  }
  return queued;
}

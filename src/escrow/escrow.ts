/**
 * Money out of escrow (design: escrow.md, "Where the money goes"). Each function runs inside the
 * caller's transaction, the one that changes the booking, so the booking, the fee, the ledger and
 * the payout or refund commit together or not at all. Ledger transfers carry unique keys per fee
 * (or payment), and the fee moves by compare-and-set: nothing can be released or refunded twice.
 */
import { markFeeRefunded, markFeeReleased } from "../bookings/booking-fee.repository.ts";
import type { BookingFeeRow, BookingRow, Executor, PayoutRow, RefundRow } from "../db/schema.ts";
import { postTransfer } from "../ledger/ledger.ts";
import { queuePayout, queueRefund } from "../payouts/queue.ts";
import { enqueueBookingFeeWebhook } from "../webhooks/producers.ts";

/** The fee moved since it was read (another request released or refunded it): start over. */
export class FeeMoved extends Error {
  constructor(feeId: string) {
    super(`booking fee ${feeId} is no longer held`);
    this.name = "FeeMoved";
  }
}

/** The platform's commission on a fee: `percent` of it, rounded down to whole shillings. */
export function commissionOf(amount: number, percent: number): number {
  return Math.floor((amount * percent) / 100);
}

export interface Release {
  commission: number;
  technicianShare: number;
  /** Null when the technician's share is zero (a 100 % commission). */
  payout: PayoutRow | null;
}

/**
 * Booking completed: escrow → platform_revenue (commission) and escrow → technician_payable (the
 * rest), fee `held` → `released`, and a payout of the rest queued to the technician's phone.
 */
export async function releaseHeldFee(
  trx: Executor,
  input: {
    booking: BookingRow;
    fee: BookingFeeRow;
    technician: { id: string; phoneNumber: string };
    commissionPercent: number;
    approvalRequired: boolean;
    at: Date;
  },
): Promise<Release> {
  const { fee, at } = input;
  if (!(await markFeeReleased(trx, { feeId: fee.id, at }))) throw new FeeMoved(fee.id);
  const commission = commissionOf(fee.amount, input.commissionPercent);
  const technicianShare = fee.amount - commission;
  const transfer = { transactionId: fee.paid_transaction_id, bookingFeeId: fee.id, at };
  if (commission > 0)
    await postTransfer(trx, {
      ...transfer,
      key: `fee-commission:${fee.id}`,
      kind: "fee_commission",
      debit: "booking_fee_escrow",
      credit: "platform_revenue",
      amount: commission,
    });
  // Webhook in this transaction (src/webhooks): sent only if the release commits.
  const released = { type: "booking_fee.released" as const, bookingId: input.booking.id, at };
  if (technicianShare === 0) {
    await enqueueBookingFeeWebhook(trx, released);
    return { commission, technicianShare, payout: null };
  }
  await postTransfer(trx, {
    ...transfer,
    key: `fee-released:${fee.id}`,
    kind: "fee_released",
    debit: "booking_fee_escrow",
    credit: "technician_payable",
    amount: technicianShare,
  });
  const payout = await queuePayout(trx, {
    bookingId: input.booking.id,
    bookingFeeId: fee.id,
    technicianId: input.technician.id,
    phoneNumber: input.technician.phoneNumber,
    amount: technicianShare,
    approvalRequired: input.approvalRequired,
    at,
  });
  await enqueueBookingFeeWebhook(trx, released);
  return { commission, technicianShare, payout };
}

/**
 * Booking cancelled with its fee held: escrow → customer_refunds_payable, fee `held` → `refunded`,
 * and a refund queued that reverses the payment which paid the fee (its receipt).
 */
export async function refundHeldFee(
  trx: Executor,
  input: { booking: BookingRow; fee: BookingFeeRow; reason: string; at: Date },
): Promise<RefundRow> {
  const { fee, at } = input;
  const paidBy = fee.paid_transaction_id;
  if (paidBy === null) throw new Error(`held booking fee ${fee.id} names no payment`);
  if (!(await markFeeRefunded(trx, { feeId: fee.id, at }))) throw new FeeMoved(fee.id);
  const payment = await trx
    .selectFrom("payment_transactions")
    .select(["id", "user_id", "phone_number", "paid_phone", "mpesa_receipt_number"])
    .where("id", "=", paidBy)
    .executeTakeFirstOrThrow();
  await postTransfer(trx, {
    key: `fee-refunded:${fee.id}`,
    kind: "fee_refunded",
    debit: "booking_fee_escrow",
    credit: "customer_refunds_payable",
    amount: fee.amount,
    transactionId: payment.id,
    bookingFeeId: fee.id,
    at,
  });
  const refund = await queueRefund(trx, {
    bookingId: input.booking.id,
    bookingFeeId: fee.id,
    customerId: input.booking.customer_id,
    transactionId: payment.id,
    // A reversal returns the money to the number that paid.
    phoneNumber: payment.paid_phone ?? payment.phone_number,
    amount: fee.amount,
    originalReceipt: payment.mpesa_receipt_number,
    reason: input.reason,
    at,
  });
  await enqueueBookingFeeWebhook(trx, { type: "booking_fee.refunded", bookingId: input.booking.id, at });
  return refund;
}

/** The ledger kind under which the payments core books money it owes back (an overpayment). */
const OVERPAYMENT_KIND = "overpayment_refund_owed";

/**
 * A refund for money the payments core already put in customer_refunds_payable (a payment for a fee
 * that was no longer payable). Idempotent; null when the payment owes nothing back.
 */
export async function queueOverpaymentRefund(
  executor: Executor,
  input: { transactionId: string; at: Date },
): Promise<RefundRow | null> {
  const owed = await executor
    .selectFrom("ledger_transfers")
    .select("amount")
    .where("transaction_id", "=", input.transactionId)
    .where("kind", "=", OVERPAYMENT_KIND)
    .executeTakeFirst();
  if (!owed) return null;
  const payment = await executor
    .selectFrom("payment_transactions as p")
    .innerJoin("bookings as b", "b.id", "p.booking_id")
    .select([
      "p.id",
      "p.booking_id",
      "p.booking_fee_id",
      "p.phone_number",
      "p.paid_phone",
      "p.mpesa_receipt_number",
      "b.customer_id",
    ])
    .where("p.id", "=", input.transactionId)
    .executeTakeFirstOrThrow();
  return queueRefund(executor, {
    bookingId: payment.booking_id,
    bookingFeeId: payment.booking_fee_id,
    customerId: payment.customer_id,
    transactionId: payment.id,
    phoneNumber: payment.paid_phone ?? payment.phone_number,
    amount: Number(owed.amount),
    originalReceipt: payment.mpesa_receipt_number,
    reason: "paid for a booking fee that was no longer payable",
    at: input.at,
  });
}

/**
 * Queues a refund for every overpayment the payments core booked as owed but that has none yet
 * (oldest first, at most `limit`), for a periodic sweep. Idempotent: answers the refunds created.
 */
export async function queueOwedRefunds(
  executor: Executor,
  input: { at: Date; limit: number },
): Promise<RefundRow[]> {
  const owed = await executor
    .selectFrom("ledger_transfers as t")
    .leftJoin("refunds as r", "r.transaction_id", "t.transaction_id")
    .select("t.transaction_id")
    .where("t.kind", "=", OVERPAYMENT_KIND)
    .where("r.id", "is", null)
    .orderBy("t.created_at")
    .limit(input.limit)
    .execute();
  const created: RefundRow[] = [];
  for (const { transaction_id } of owed) {
    if (transaction_id === null) continue;
    const refund = await queueOverpaymentRefund(executor, { transactionId: transaction_id, at: input.at });
    if (refund) created.push(refund);
  }
  return created;
}

/**
 * The booking fee's life (`pending` → `held` → `released` | `refunded`), for the payment service.
 * Every change is a compare-and-set on the previous status, so two deliveries of the same result
 * cannot both move the fee; each function answers whether it made the change. All take a Kysely
 * executor first: call them inside the transaction that records the payment's result.
 */
import type { BookingFeeRow, BookingFeeStatus, BookingRow, Executor } from "../db/schema.ts";

export interface BookingWithFee {
  booking: BookingRow;
  fee: BookingFeeRow;
}

export async function findBookingWithFee(
  executor: Executor,
  bookingId: string,
): Promise<BookingWithFee | null> {
  const booking = await executor
    .selectFrom("bookings")
    .selectAll()
    .where("id", "=", bookingId)
    .executeTakeFirst();
  if (!booking) return null;
  const fee = await executor
    .selectFrom("booking_fees")
    .selectAll()
    .where("booking_id", "=", bookingId)
    .executeTakeFirst();
  return fee ? { booking, fee } : null;
}

async function moveFee(
  executor: Executor,
  feeId: string,
  from: BookingFeeStatus,
  to: BookingFeeStatus,
  at: Date,
  paidTransactionId?: string,
): Promise<boolean> {
  const result = await executor
    .updateTable("booking_fees")
    .set({
      status: to,
      updated_at: at.toISOString(),
      ...(paidTransactionId === undefined ? {} : { paid_transaction_id: paidTransactionId }),
    })
    .where("id", "=", feeId)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * `pending` → `held`: the fee was paid by `transactionId` and sits in escrow, and the booking moves
 * from `pending_payment` to `matching`. False, changing nothing, when the fee was not pending
 * (already held by another payment, or refunded) or the booking is no longer awaiting payment
 * (cancelled meanwhile): the payment is then not for a payable fee. The booking moves first, so a
 * cancellation committed a moment earlier always wins over the payment, on either engine.
 */
export async function markFeeHeld(
  executor: Executor,
  input: { feeId: string; transactionId: string; at: Date },
): Promise<boolean> {
  const fee = await executor
    .selectFrom("booking_fees")
    .select("booking_id")
    .where("id", "=", input.feeId)
    .executeTakeFirst();
  if (!fee) return false;
  const booking = await executor
    .updateTable("bookings")
    .set({ status: "matching", updated_at: input.at.toISOString() })
    .where("id", "=", fee.booking_id)
    .where("status", "=", "pending_payment")
    .executeTakeFirst();
  if (Number(booking.numUpdatedRows) !== 1) return false;
  if (await moveFee(executor, input.feeId, "pending", "held", input.at, input.transactionId)) return true;
  // The fee was not pending: put the booking back (inside a transaction the caller rolls back anyway).
  await executor
    .updateTable("bookings")
    .set({ status: "pending_payment" })
    .where("id", "=", fee.booking_id)
    .execute();
  return false;
}

/** `held` → `refunded`: the escrowed fee is owed back to the customer. The booking is not changed. */
export async function markFeeRefunded(
  executor: Executor,
  input: { feeId: string; at: Date },
): Promise<boolean> {
  return moveFee(executor, input.feeId, "held", "refunded", input.at);
}

/** `held` → `released`: the escrowed fee goes to the technician. The booking is not changed. */
export async function markFeeReleased(
  executor: Executor,
  input: { feeId: string; at: Date },
): Promise<boolean> {
  return moveFee(executor, input.feeId, "held", "released", input.at);
}

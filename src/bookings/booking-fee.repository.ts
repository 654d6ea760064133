/**
 * The booking fee's life (`pending` → `held` → `released` | `refunded`), for the payment service.
 * Every change is a compare-and-set on the previous status, so two deliveries of the same result
 * cannot both move the fee; each function answers whether it made the change. All take a Kysely
 * executor first: call them inside the transaction that records the payment's result.
 */
import { compiledQuery } from "../db/compiled-query.ts";
import type { BookingFeeRow, BookingFeeStatus, BookingRow, BookingStatus, Executor } from "../db/schema.ts";

export interface BookingWithFee {
  booking: BookingRow;
  fee: BookingFeeRow;
}

const bookingById = compiledQuery((executor, a: { bookingId: string }) =>
  executor.selectFrom("bookings").selectAll().where("id", "=", a.bookingId),
);

const feeOfBooking = compiledQuery((executor, a: { bookingId: string }) =>
  executor.selectFrom("booking_fees").selectAll().where("booking_id", "=", a.bookingId),
);

export async function findBookingWithFee(
  executor: Executor,
  bookingId: string,
): Promise<BookingWithFee | null> {
  const booking = (await bookingById(executor, { bookingId })).rows[0];
  if (!booking) return null;
  const fee = (await feeOfBooking(executor, { bookingId })).rows[0];
  return fee ? { booking, fee } : null;
}

async function moveFee(
  executor: Executor,
  feeId: string,
  from: BookingFeeStatus,
  to: BookingFeeStatus,
  at: Date,
): Promise<boolean> {
  const result = await executor
    .updateTable("booking_fees")
    .set({ status: to, updated_at: at.toISOString() })
    .where("id", "=", feeId)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * `pending` → `held`: the fee was paid by `transactionId` and sits in escrow, and the booking (the
 * fee's own, `bookingId`) moves from `pending_payment` to `matching`. False, changing nothing, when the fee was not pending
 * (already held by another payment, or refunded) or the booking is no longer awaiting payment
 * (cancelled meanwhile): the payment is then not for a payable fee. The booking moves first, so a
 * cancellation committed a moment earlier always wins over the payment, on either engine.
 */
const moveBookingIf = compiledQuery(
  (executor, a: { bookingId: string; from: BookingStatus; to: BookingStatus; at: string }) =>
    executor
      .updateTable("bookings")
      .set({ status: a.to, updated_at: a.at })
      .where("id", "=", a.bookingId)
      .where("status", "=", a.from),
);

const holdFee = compiledQuery(
  (executor, a: { feeId: string; bookingId: string; transactionId: string; at: string }) =>
    executor
      .updateTable("booking_fees")
      .set({ status: "held", updated_at: a.at, paid_transaction_id: a.transactionId })
      .where("id", "=", a.feeId)
      .where("booking_id", "=", a.bookingId)
      .where("status", "=", "pending"),
);

export async function markFeeHeld(
  executor: Executor,
  input: { feeId: string; bookingId: string; transactionId: string; at: Date },
): Promise<boolean> {
  const at = input.at.toISOString();
  const { bookingId } = input;
  const moved = await moveBookingIf(executor, { bookingId, from: "pending_payment", to: "matching", at });
  if (Number(moved.numAffectedRows) !== 1) return false;
  const held = await holdFee(executor, {
    feeId: input.feeId,
    bookingId,
    transactionId: input.transactionId,
    at,
  });
  if (Number(held.numAffectedRows) === 1) return true;
  // The fee was not pending: put the booking back (inside a transaction the caller rolls back anyway).
  await executor
    .updateTable("bookings")
    .set({ status: "pending_payment" })
    .where("id", "=", bookingId)
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

/**
 * Starting a booking-fee payment by STK Push (`POST /stkpush`).
 *
 * The attempt row is written and committed as `initiated` BEFORE Daraja is called, so a crash never
 * leaves a prompt we do not know about. One open attempt per fee (open_fee_key UNIQUE): asking
 * again first settles the open one from Daraja. A push whose outcome is unknown (timeout after
 * sending) is never sent again: the answer is 201 with the transaction id and a "we are confirming"
 * message, and the signed callback or the reconciler settles it.
 */
import { findBookingWithFee } from "../bookings/booking-fee.repository.ts";
import type { StkPushAccepted } from "../daraja/contract.ts";
import { normalizeMsisdn } from "../daraja/phone.ts";
import { isUniqueViolation } from "../db/database.ts";
import type { BookingFeeRow, PaymentTransactionRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import { countPaymentStatus } from "../metrics.ts";
import type { PaymentsContext } from "./context.ts";
import { type IdempotencyClaim, linkAttempt } from "./idempotency.repository.ts";
import { hasStoredAnswer, type IdempotentRequest, withIdempotency } from "./idempotency.ts";
import {
  findOpenAttempt,
  insertPaymentEvent,
  insertTransaction,
  newPaymentRow,
} from "./payment.repository.ts";
import { applyPaymentEvent } from "./payment-apply.ts";
import { finishWaitingCallbacks } from "./process-callback.ts";
import { checkPromptLimits } from "./prompt-limits.ts";
import { classifyPushFailure, mpesaBusy } from "./push-outcome.ts";
import { pushRequestFor } from "./push-request.ts";
import { settleFromDaraja } from "./settle-from-daraja.ts";

export interface InitiateStkPushInput {
  userId: string;
  bookingId: string;
  phoneNumber: string;
  amount?: number | undefined;
  idempotencyKey?: string | undefined;
}

/** The 201 answer of `POST /stkpush` (api.md). */
export interface StkPushStarted {
  success: true;
  message: string;
  data: { transactionId: string; checkoutRequestId: string | null; customerMessage: string };
}

export const PUSH_SENT_MESSAGE = "STK Push sent successfully. Please enter your M-Pesa PIN on your phone.";
export const PUSH_CONFIRMING_MESSAGE =
  "We are confirming your M-Pesa request. If a prompt appears on your phone, enter your PIN; this page updates by itself.";

const notFound = () => new AppError("BOOKING_NOT_FOUND", "No such booking");
const alreadyPaid = () => new AppError("ALREADY_PAID", "This booking fee is already paid");
const inProgress = (open: PaymentTransactionRow) =>
  new AppError(
    "PAYMENT_IN_PROGRESS",
    "A payment prompt is already on your phone. Enter your PIN or cancel it.",
    {
      transactionId: open.id,
    },
  );

export async function initiateStkPush(
  ctx: PaymentsContext,
  input: InitiateStkPushInput,
): Promise<StkPushStarted> {
  const phone = normalizeMsisdn(input.phoneNumber);
  if (phone === null)
    throw new AppError("INVALID_PHONE", "Enter a Safaricom number such as 0712345678 or 254712345678");
  const request = idempotentRequestOf(input, phone);
  if (request === null) return initiate(ctx, { ...input, phone }, null);
  return withIdempotency(ctx, request, (claim) => initiate(ctx, { ...input, phone }, claim));
}

/**
 * True when this is a repeat of a request already answered (same user, key and body): it will get
 * the stored answer, so it must not count against any limit.
 */
export async function isAnsweredReplay(ctx: PaymentsContext, input: InitiateStkPushInput): Promise<boolean> {
  const phone = normalizeMsisdn(input.phoneNumber);
  const request = phone === null ? null : idempotentRequestOf(input, phone);
  return request !== null && (await hasStoredAnswer(ctx.db.kysely, request));
}

function idempotentRequestOf(input: InitiateStkPushInput, phone: string): IdempotentRequest | null {
  if (input.idempotencyKey === undefined) return null;
  return {
    userId: input.userId,
    key: input.idempotencyKey,
    fingerprint: {
      bookingId: input.bookingId,
      phoneNumber: phone,
      amount: input.amount ?? null,
      type: "booking_fee",
    },
  };
}

async function initiate(
  ctx: PaymentsContext,
  input: InitiateStkPushInput & { phone: string },
  claim: IdempotencyClaim | null,
): Promise<StkPushStarted> {
  const { db } = ctx;
  // Shed load before any work when the queue toward Daraja is full (a push would be refused).
  const congested = ctx.daraja.congestion?.();
  if (congested) throw mpesaBusy(congested.retryAfterMs);
  const found = await findBookingWithFee(db.kysely, input.bookingId);
  if (!found || found.booking.customer_id !== input.userId) throw notFound();
  const { booking, fee } = found;
  if (input.amount !== undefined && input.amount !== fee.amount)
    throw new AppError("AMOUNT_MISMATCH", `The booking fee is KES ${fee.amount}; send that amount or none`, {
      expected: fee.amount,
      currency: fee.currency,
    });
  if (fee.status !== "pending") throw alreadyPaid();
  if (booking.status !== "pending_payment")
    throw new AppError("BOOKING_NOT_PAYABLE", `This booking is ${booking.status} and cannot be paid`);
  await settleOpenAttempt(ctx, fee.id);

  await checkPromptLimits(ctx, input.userId, input.phone);
  return push(ctx, await createAttempt(ctx, input, claim));
}

/** Settles the fee's open attempt from Daraja; returns when the fee is free for a new push, throws otherwise. */
async function settleOpenAttempt(ctx: PaymentsContext, feeId: string): Promise<void> {
  let open = await findOpenAttempt(ctx.db.kysely, feeId);
  if (!open) return;
  if (open.status === "pending") open = (await settleFromDaraja(ctx, open, { source: "query" })).transaction;
  switch (open.status) {
    case "completed":
      throw alreadyPaid();
    case "failed":
    case "needs_review":
      return;
    case "initiated":
    case "pending":
      throw inProgress(open);
    default: {
      const _exhaustive: never = open.status;
      return _exhaustive;
    }
  }
}

/** Writes the `initiated` attempt (and links it to the request's Idempotency-Key claim), committed before any push. */
async function createAttempt(
  ctx: PaymentsContext,
  input: { userId: string; phone: string; bookingId: string },
  claim: IdempotencyClaim | null,
): Promise<PaymentTransactionRow> {
  const { db, clock } = ctx;
  const now = clock.now();
  const at = now.toISOString();
  const id = newId("pay", now.getTime());
  let row: PaymentTransactionRow;
  try {
    row = await db.kysely.transaction().execute(async (trx) => {
      const found = await findBookingWithFee(trx, input.bookingId);
      if (!found) throw notFound();
      if (found.fee.status !== "pending") throw alreadyPaid();
      const attempt = newAttempt({ id, userId: input.userId, phone: input.phone, fee: found.fee, at });
      await insertTransaction(trx, attempt);
      await insertPaymentEvent(trx, {
        transactionId: id,
        bookingId: found.fee.booking_id,
        type: "created",
        from: null,
        to: "initiated",
        data: { source: "api" },
        at: now,
      });
      // A repeat took this request's key over while it waited: the repeat pushes, not this one.
      if (claim !== null && !(await linkAttempt(trx, claim, id)))
        throw new AppError(
          "PAYMENT_IN_PROGRESS",
          "A repeat of this request is being handled; wait for its answer",
        );
      return attempt;
    });
  } catch (error) {
    if (!isUniqueViolation(error, "open_fee_key")) throw error;
    const found = await findBookingWithFee(db.kysely, input.bookingId);
    const open = found ? await findOpenAttempt(db.kysely, found.fee.id) : null;
    if (open) throw inProgress(open);
    throw error;
  }
  if (ctx.metrics) countPaymentStatus(ctx.metrics, "initiated");
  return row;
}

/** A new attempt, `initiated`, for the fee: the row exactly as it is written. */
function newAttempt(a: {
  id: string;
  userId: string;
  phone: string;
  fee: BookingFeeRow;
  at: string;
}): PaymentTransactionRow {
  return newPaymentRow({
    id: a.id,
    booking_id: a.fee.booking_id,
    booking_fee_id: a.fee.id,
    user_id: a.userId,
    phone_number: a.phone,
    amount: a.fee.amount,
    currency: a.fee.currency,
    status: "initiated",
    open_fee_key: a.fee.id,
    failure_reason: null,
    created_at: a.at,
  });
}

async function push(ctx: PaymentsContext, tx: PaymentTransactionRow): Promise<StkPushStarted> {
  let accepted: StkPushAccepted;
  try {
    accepted = await ctx.daraja.stkPush(pushRequestFor(ctx.callbackUrl, tx));
  } catch (error) {
    const failure = classifyPushFailure(error);
    if (failure.kind === "refused") {
      await applyPaymentEvent(
        ctx,
        tx.id,
        { type: "push_refused", errorCode: failure.errorCode, errorMessage: failure.errorMessage },
        "push",
      );
      throw failure.error;
    }
    ctx.logger.warn(
      { transactionId: tx.id, reason: failure.reason },
      "STK Push outcome unknown; reconciling",
    );
    await applyPaymentEvent(ctx, tx.id, { type: "push_outcome_unknown", reason: failure.reason }, "push");
    await finishWaitingCallbacks(ctx, tx.id);
    return {
      success: true,
      message: PUSH_CONFIRMING_MESSAGE,
      data: { transactionId: tx.id, checkoutRequestId: null, customerMessage: PUSH_CONFIRMING_MESSAGE },
    };
  }
  await applyPaymentEvent(
    ctx,
    tx.id,
    {
      type: "push_accepted",
      merchantRequestId: accepted.merchantRequestId,
      checkoutRequestId: accepted.checkoutRequestId,
    },
    "push",
  );
  // A fast customer's callback may have arrived before we stored the ids: finish it now.
  await finishWaitingCallbacks(ctx, tx.id);
  return {
    success: true,
    message: PUSH_SENT_MESSAGE,
    data: {
      transactionId: tx.id,
      checkoutRequestId: accepted.checkoutRequestId,
      customerMessage: accepted.customerMessage ?? accepted.responseDescription,
    },
  };
}

/**
 * Booking-fee payments by STK Push: start one (`initiateStkPush`), apply what Daraja says
 * (`applyResult`, the one path shared by callbacks, the reconciler and the status endpoint), and
 * read them (`getStatus`, `listHistory`).
 *
 * Starting a push: the attempt row is written and committed as `initiated` BEFORE Daraja is called,
 * so a crash never leaves a prompt we do not know about. One open attempt per fee (open_fee_key
 * UNIQUE): asking again first checks the open one with Daraja. A push whose outcome is unknown
 * (timeout after sending) is never sent again: the answer is 201 with the transaction id and a
 * "we are confirming" message, and the signed callback or the reconciler settles it.
 */
import { findBookingWithFee } from "../bookings/booking-fee.repository.ts";
import type { Clock } from "../clock.ts";
import type { DarajaApi } from "../daraja/contract.ts";
import { normalizeMsisdn } from "../daraja/phone.ts";
import type { Db } from "../db/database.ts";
import type { PaymentStatus, PaymentTransactionRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../logger.ts";
import { countPaymentStatus, type Metrics } from "../metrics.ts";
import type { Actor } from "../users/user.ts";
import type { CallbackService } from "./callback.service.ts";
import { type CallbackUrlConfig, signedCallbackUrl } from "./callback-url.ts";
import { type IdempotentRequest, withIdempotency } from "./idempotency.ts";
import {
  claimQuerySlot,
  countRecentAttemptsForPhone,
  findOpenAttempt,
  findTransaction,
  insertPaymentEvent,
  insertTransaction,
  isUniqueViolation,
  listTransactions,
} from "./payment.repository.ts";
import type { ApplyFn, ApplyOutcome } from "./payment-apply.ts";
import { type DarajaResult, eventFromResult, type ResultSource, resultFromQuery } from "./payment-result.ts";
import { classifyPushFailure } from "./push-outcome.ts";
import type { PaymentTimings } from "./timings.ts";
import { canSee, type TransactionView, toTransactionView } from "./transaction-view.ts";

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

export interface HistoryInput {
  page: number;
  limit: number;
  status?: PaymentStatus | undefined;
  /** Admins only: one customer's transactions. */
  userId?: string | undefined;
}

export interface History {
  success: true;
  count: number;
  total: number;
  page: number;
  pages: number;
  transactions: TransactionView[];
}

export interface PaymentServiceDeps {
  db: Db;
  daraja: DarajaApi;
  clock: Clock;
  logger: Logger;
  timings: PaymentTimings;
  callbackUrl: CallbackUrlConfig;
  callbacks: CallbackService;
  apply: ApplyFn;
  metrics?: Metrics | undefined;
}

export interface PaymentService {
  initiateStkPush(input: InitiateStkPushInput): Promise<StkPushStarted>;
  applyResult(transactionId: string, result: DarajaResult, source: ResultSource): Promise<ApplyOutcome>;
  getStatus(viewer: Actor, transactionId: string): Promise<TransactionView>;
  listHistory(viewer: Actor, input: HistoryInput): Promise<History>;
}

export const PUSH_SENT_MESSAGE = "STK Push sent successfully. Please enter your M-Pesa PIN on your phone.";
export const PUSH_CONFIRMING_MESSAGE =
  "We are confirming your M-Pesa request. If a prompt appears on your phone, enter your PIN; this page updates by itself.";

export function createPaymentService(deps: PaymentServiceDeps): PaymentService {
  const { db, clock, logger, timings } = deps;

  const notFound = () => new AppError("BOOKING_NOT_FOUND", "No such booking");
  const inProgress = (open: PaymentTransactionRow) =>
    new AppError(
      "PAYMENT_IN_PROGRESS",
      "A payment prompt is already on your phone. Enter your PIN or cancel it.",
      {
        transactionId: open.id,
      },
    );
  const alreadyPaid = () => new AppError("ALREADY_PAID", "This booking fee is already paid");

  /** Asks Daraja about the open attempt; returns when the fee is free for a new push, throws otherwise. */
  async function settleOpenAttempt(feeId: string): Promise<void> {
    let open = await findOpenAttempt(db.kysely, feeId);
    if (!open) return;
    if (open.status === "pending" && open.checkout_request_id !== null) {
      if (await claimQuerySlot(db.kysely, open.id, clock.now(), timings.statusQueryMinIntervalMs)) {
        try {
          const answer = await deps.daraja.stkQuery(open.checkout_request_id);
          open =
            (await deps.apply(open.id, eventFromResult(resultFromQuery(answer)), "query")).transaction ??
            open;
        } catch (error) {
          logger.warn({ err: error, transactionId: open.id }, "could not check the open attempt with Daraja");
        }
      } else open = (await findTransaction(db.kysely, open.id)) ?? open;
    }
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

  async function createAttempt(input: {
    userId: string;
    phone: string;
    bookingId: string;
  }): Promise<PaymentTransactionRow> {
    const now = clock.now();
    const at = now.toISOString();
    const id = newId("pay", now.getTime());
    try {
      await db.kysely.transaction().execute(async (trx) => {
        const found = await findBookingWithFee(trx, input.bookingId);
        if (!found) throw notFound();
        if (found.fee.status !== "pending") throw alreadyPaid();
        await insertTransaction(trx, {
          id,
          booking_id: found.booking.id,
          booking_fee_id: found.fee.id,
          user_id: input.userId,
          phone_number: input.phone,
          amount: found.fee.amount,
          currency: found.fee.currency,
          status: "initiated",
          open_fee_key: found.fee.id,
          check_attempts: 0,
          created_at: at,
          updated_at: at,
        });
        await insertPaymentEvent(trx, {
          transactionId: id,
          bookingId: found.booking.id,
          type: "created",
          from: null,
          to: "initiated",
          data: { source: "api" },
          at: now,
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error, "open_fee_key")) throw error;
      const found = await findBookingWithFee(db.kysely, input.bookingId);
      const open = found ? await findOpenAttempt(db.kysely, found.fee.id) : null;
      if (open) throw inProgress(open);
      throw error;
    }
    if (deps.metrics) countPaymentStatus(deps.metrics, "initiated");
    return (await findTransaction(db.kysely, id)) as PaymentTransactionRow;
  }

  async function push(tx: PaymentTransactionRow): Promise<StkPushStarted> {
    const phoneNumber = normalizeMsisdn(tx.phone_number);
    if (phoneNumber === null) throw new Error(`transaction ${tx.id} holds a non-canonical phone number`);
    let accepted: Awaited<ReturnType<DarajaApi["stkPush"]>>;
    try {
      accepted = await deps.daraja.stkPush({
        phoneNumber,
        amount: tx.amount,
        accountReference: `BK${tx.booking_id.slice(-8).toUpperCase()}`,
        transactionDesc: "Booking fee",
        callbackUrl: signedCallbackUrl(deps.callbackUrl, tx.id),
      });
    } catch (error) {
      const failure = classifyPushFailure(error);
      if (failure.kind === "refused") {
        await deps.apply(
          tx.id,
          { type: "push_refused", errorCode: failure.errorCode, errorMessage: failure.errorMessage },
          "push",
        );
        throw failure.error;
      }
      logger.warn({ transactionId: tx.id, reason: failure.reason }, "STK Push outcome unknown; reconciling");
      await deps.apply(tx.id, { type: "push_outcome_unknown", reason: failure.reason }, "push");
      await deps.callbacks.finishWaitingFor(tx.id);
      return {
        success: true,
        message: PUSH_CONFIRMING_MESSAGE,
        data: { transactionId: tx.id, checkoutRequestId: null, customerMessage: PUSH_CONFIRMING_MESSAGE },
      };
    }
    await deps.apply(
      tx.id,
      {
        type: "push_accepted",
        merchantRequestId: accepted.merchantRequestId,
        checkoutRequestId: accepted.checkoutRequestId,
      },
      "push",
    );
    // A fast customer's callback may have arrived before we stored the ids: finish it now.
    await deps.callbacks.finishWaitingFor(tx.id);
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

  async function initiate(input: InitiateStkPushInput & { phone: string }): Promise<StkPushStarted> {
    const found = await findBookingWithFee(db.kysely, input.bookingId);
    if (!found || found.booking.customer_id !== input.userId) throw notFound();
    const { booking, fee } = found;
    if (input.amount !== undefined && input.amount !== fee.amount)
      throw new AppError(
        "AMOUNT_MISMATCH",
        `The booking fee is KES ${fee.amount}; send that amount or none`,
        {
          expected: fee.amount,
          currency: fee.currency,
        },
      );
    if (fee.status !== "pending") throw alreadyPaid();
    if (booking.status !== "pending_payment")
      throw new AppError("BOOKING_NOT_PAYABLE", `This booking is ${booking.status} and cannot be paid`);
    await settleOpenAttempt(fee.id);

    const since = new Date(clock.now().getTime() - 60_000);
    if (
      (await countRecentAttemptsForPhone(db.kysely, input.phone, since)) >= timings.attemptsPerPhonePerMinute
    )
      throw new AppError(
        "RATE_LIMITED",
        "Too many payment requests to this phone; wait a minute and try again",
        {
          retryAfterSeconds: 60,
        },
      );
    return push(
      await createAttempt({ userId: input.userId, phone: input.phone, bookingId: input.bookingId }),
    );
  }

  return {
    async initiateStkPush(input) {
      const phone = normalizeMsisdn(input.phoneNumber);
      if (phone === null)
        throw new AppError("INVALID_PHONE", "Enter a Safaricom number such as 0712345678 or 254712345678");
      if (input.idempotencyKey === undefined) return initiate({ ...input, phone });
      const request: IdempotentRequest = {
        userId: input.userId,
        key: input.idempotencyKey,
        fingerprint: {
          bookingId: input.bookingId,
          phoneNumber: phone,
          amount: input.amount ?? null,
          type: "booking_fee",
        },
      };
      return withIdempotency({ db, clock, timings }, request, () => initiate({ ...input, phone }));
    },

    applyResult(transactionId, result, source) {
      return deps.apply(transactionId, eventFromResult(result), source);
    },

    async getStatus(viewer, transactionId) {
      let row = await findTransaction(db.kysely, transactionId);
      if (!row || !canSee(row, viewer)) throw new AppError("TRANSACTION_NOT_FOUND", "No such transaction");
      const now = clock.now();
      const age = now.getTime() - new Date(row.created_at).getTime();
      if (row.status === "pending" && row.checkout_request_id !== null && age >= timings.statusQueryAfterMs) {
        if (await claimQuerySlot(db.kysely, row.id, now, timings.statusQueryMinIntervalMs)) {
          try {
            const answer = await deps.daraja.stkQuery(row.checkout_request_id);
            row =
              (await deps.apply(row.id, eventFromResult(resultFromQuery(answer)), "status")).transaction ??
              row;
          } catch (error) {
            logger.warn(
              { err: error, transactionId },
              "status query to Daraja failed; answering from our records",
            );
          }
        }
      }
      return toTransactionView(row, viewer);
    },

    async listHistory(viewer, input) {
      const userId = viewer.role === "admin" ? (input.userId ?? null) : viewer.id;
      const { rows, total } = await listTransactions(db.kysely, {
        userId,
        status: input.status ?? null,
        page: input.page,
        limit: input.limit,
      });
      return {
        success: true,
        count: rows.length,
        total,
        page: input.page,
        pages: Math.ceil(total / input.limit),
        transactions: rows.map((row) => toTransactionView(row, viewer)),
      };
    },
  };
}

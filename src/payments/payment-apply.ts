/**
 * THE single path by which a payment changes: read the row and its fee (one statement), ask the
 * pure state machine, then in ONE database transaction compare-and-set the row, post the ledger
 * transfer, hold the fee and append the event. A lost compare-and-set (someone else changed the row first) rolls everything
 * back and re-runs on the fresh row, where the same result is then a duplicate: two deliveries of
 * one result can never both move money. Every use case calls `applyPaymentEvent(ctx, …)` by name.
 */
import { markFeeHeld } from "../bookings/booking-fee.repository.ts";
import { maskMsisdn } from "../daraja/phone.ts";
import { isUniqueViolation } from "../db/database.ts";
import type { Executor, PaymentTransactionRow } from "../db/schema.ts";
import { balanceOfPayment, postTransfer } from "../ledger/ledger.ts";
import { countPaymentStatus } from "../metrics.ts";
import { enqueuePaymentWebhooks } from "../webhooks/producers.ts";
import type { PaymentsContext } from "./context.ts";
import { findTransaction, guardOf, insertPaymentEvent, updateTransactionIf } from "./payment.repository.ts";
import {
  type ApplyRow,
  type FeeFacts,
  findPaymentForApply,
  type PaymentForApply,
} from "./payment-facts.repository.ts";
import { describeEvent, patchFor } from "./payment-patch.ts";
import type { ResultSource } from "./payment-result.ts";
import { accountReferenceFor } from "./push-request.ts";
import { closeReview, openReview } from "./review.repository.ts";
import {
  type FeeStanding,
  isRejection,
  type PaymentEffect,
  type PaymentEvent,
  type PaymentStatus,
  type TransitionContext,
  transition,
} from "./state-machine.ts";

/**
 * Where an event came from: a Daraja result, our push call, the reconciler's clock, an admin, or
 * the M-Pesa statement (money found there and attached or refunded by an admin).
 */
export type EventSource = ResultSource | "push" | "reconciler" | "admin" | "statement";

/** What applying did; `transaction` is the row as it now stands (as read, with the patch applied). */
export type ApplyOutcome<R extends ApplyRow = PaymentTransactionRow> =
  | {
      applied: true;
      from: PaymentStatus;
      to: PaymentStatus;
      duplicate: boolean;
      /** Something a viewer of the transaction can see changed (status, result, receipt). */
      visible: boolean;
      note: string;
      transaction: R;
    }
  | { applied: false; reason: string; transaction: R | null };

/** What applying needs from the payments context. */
export type ApplyContext = Pick<
  PaymentsContext,
  "db" | "clock" | "logger" | "timings" | "metrics" | "onChange"
>;

/** Someone changed the row (or the fee) between reading and writing: roll back and start over. */
export class LostRace extends Error {}

const MAX_ATTEMPTS = 4;

export async function applyPaymentEvent(
  ctx: ApplyContext,
  transactionId: string,
  event: PaymentEvent,
  source: EventSource,
): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await ctx.db.kysely.transaction().execute(async (trx) => {
        const read = await findPaymentForApply(trx, transactionId);
        if (!read) return { applied: false as const, reason: "no such transaction", transaction: null };
        return applyWithin(ctx, trx, read, event, source);
      });
      announceApplied(ctx, event, source, outcome);
      return outcome;
    } catch (error) {
      if (error instanceof LostRace && attempt < MAX_ATTEMPTS) continue;
      if (isUniqueViolation(error, "checkout_request_id"))
        return refused(ctx, transactionId, "these Daraja ids belong to another payment");
      if (isUniqueViolation(error, "mpesa_receipt_number"))
        return refused(ctx, transactionId, "this M-Pesa receipt is already recorded for another payment");
      throw error;
    }
  }
}

/** After commit: the metrics, the live views and the log hear of an applied event. */
export function announceApplied<R extends ApplyRow>(
  ctx: ApplyContext,
  event: PaymentEvent,
  source: EventSource,
  outcome: ApplyOutcome<R>,
): void {
  if (!outcome.applied) return;
  const transactionId = outcome.transaction.id;
  if (outcome.visible) {
    if (outcome.from !== outcome.to && ctx.metrics) countPaymentStatus(ctx.metrics, outcome.to);
    ctx.onChange({ transactionId, status: outcome.to });
  }
  ctx.logger.info(
    {
      transactionId,
      event: event.type,
      source,
      from: outcome.from,
      to: outcome.to,
      duplicate: outcome.duplicate,
    },
    `payment ${outcome.note}`,
  );
}

async function refused(ctx: ApplyContext, transactionId: string, reason: string): Promise<ApplyOutcome> {
  return { applied: false, reason, transaction: await findTransaction(ctx.db.kysely, transactionId) };
}

/**
 * Inside an open transaction, on what it read: the state machine, the compare-and-set, the effects
 * and the event row. Throws `LostRace` when the row or the fee changed since it was read (the
 * caller rolls back); the caller announces the outcome once committed (`announceApplied`).
 */
export async function applyWithin<R extends ApplyRow>(
  ctx: ApplyContext,
  trx: Executor,
  read: PaymentForApply<R>,
  event: PaymentEvent,
  source: EventSource,
): Promise<ApplyOutcome<R>> {
  const { row } = read;
  // Suspense is a credit balance: what is held for this payment is its negation. Only a person's
  // decision on suspense money reads it, so only that event pays for the query.
  const inSuspense = event.type === "admin_resolve" ? -(await balanceOfPayment(trx, "suspense", row.id)) : 0;
  const t = transition(row.status, event, contextFor(row, read.fee, inSuspense));
  if (isRejection(t)) return { applied: false, reason: t.rejected, transaction: row };

  const now = ctx.clock.now();
  let updated = row;
  if (!t.duplicate || t.effects.length > 0) {
    const patch = patchFor(row, t, now, ctx.timings);
    if (!(await updateTransactionIf(trx, row.id, guardOf(row), patch))) throw new LostRace();
    for (const effect of t.effects) await performEffect(trx, row, effect, now);
    // The row as it now stands, without reading it back.
    updated = { ...row, ...patch } as R;
  }
  await insertPaymentEvent(trx, {
    transactionId: row.id,
    bookingId: row.booking_id,
    type: event.type,
    from: row.status,
    to: t.to,
    data: { source, note: t.note, duplicate: t.duplicate, ...describeEvent(event) },
    at: now,
  });
  // Daraja's own result answers the unconfirmed push's question ("was money taken?"): whatever it
  // says is now on the books, so nobody need look for it. (An attempt whose push outcome was
  // never unknown has no such review: it is opened only after `push_outcome_unknown`.)
  if ((event.type === "paid" || event.type === "failed") && read.unknownPush !== false)
    await closeReview(trx, `push_unconfirmed:${row.id}`, now);
  // Webhooks for this change, in its transaction (src/webhooks): delivered only if it commits. The
  // event carries the API's full view, so a change a receiver hears of reads the row as it stands.
  if (row.status !== t.to || t.effects.some((e) => e.type === "hold_fee")) {
    await enqueuePaymentWebhooks(trx, {
      from: row.status,
      to: t.to,
      bookingId: row.booking_id,
      read: async () => {
        const after = await findTransaction(trx, row.id);
        if (!after) throw new Error(`payment ${row.id} vanished inside its own transaction`);
        return after;
      },
      effects: t.effects,
      at: now,
    });
  }
  const visible =
    row.status !== t.to || t.effects.some((e) => e.type === "record_result" || e.type === "record_payment");
  return {
    applied: true,
    from: row.status,
    to: t.to,
    duplicate: t.duplicate,
    visible,
    note: t.note,
    transaction: updated,
  };
}

export function contextFor(row: ApplyRow, fee: FeeFacts, inSuspense: number): TransitionContext {
  return {
    expectedAmount: row.amount,
    expectedPhone: row.phone_number,
    hasCheckoutId: row.checkout_request_id !== null,
    fee: feeStanding(row, fee),
    recorded: {
      resultCode: row.result_code,
      receipt: row.mpesa_receipt_number,
      paidAmount: row.paid_amount,
      inSuspense,
    },
  };
}

function feeStanding(row: ApplyRow, fee: FeeFacts): FeeStanding {
  if (fee.status === "pending") return fee.bookingStatus === "cancelled" ? "not_payable" : "awaiting_payment";
  if (fee.paidTransactionId === row.id) return "paid_by_this_attempt";
  if (fee.paidTransactionId !== null) return "paid_by_another_attempt";
  return "not_payable";
}

/** The money of one M-Pesa payment enters the books once, whichever account it lands in. */
export const moneyInKey = (transactionId: string) => `mpesa-in:${transactionId}`;

async function performEffect(trx: Executor, row: ApplyRow, effect: PaymentEffect, at: Date) {
  const transfer = { key: moneyInKey(row.id), transactionId: row.id, bookingFeeId: row.booking_fee_id, at };
  switch (effect.type) {
    case "credit_escrow":
      await postTransfer(trx, {
        ...transfer,
        kind: "fee_paid",
        debit: "mpesa_clearing",
        credit: "booking_fee_escrow",
        amount: effect.amount,
      });
      return;
    case "credit_suspense":
      await postTransfer(trx, {
        ...transfer,
        kind: "suspense_in",
        debit: "mpesa_clearing",
        credit: "suspense",
        amount: effect.amount,
      });
      return;
    case "owe_refund":
      await postTransfer(trx, {
        ...transfer,
        kind: "overpayment_refund_owed",
        debit: "mpesa_clearing",
        credit: "customer_refunds_payable",
        amount: effect.amount,
      });
      return;
    case "release_suspense": {
      // Once per payment: a second decision finds nothing left (the transfer key is taken) and re-reads.
      const released = await postTransfer(trx, {
        key: `suspense-out:${row.id}`,
        // Refunded money is owed back like an overpayment: the owed-refunds sweep sends it.
        kind: effect.to === "booking_fee_escrow" ? "suspense_to_escrow" : "overpayment_refund_owed",
        debit: "suspense",
        credit: effect.to,
        amount: effect.amount,
        transactionId: row.id,
        bookingFeeId: row.booking_fee_id,
        at,
      });
      if (!released.posted) throw new LostRace();
      return;
    }
    case "hold_fee":
      // The fee moved since we read it (another attempt paid it): start over with the new facts.
      if (
        !(await markFeeHeld(trx, {
          feeId: row.booking_fee_id,
          bookingId: row.booking_id,
          transactionId: row.id,
          at,
        }))
      )
        throw new LostRace();
      return;
    case "open_review":
      await openReview(trx, {
        key: `${effect.kind}:${row.id}`,
        transactionId: row.id,
        reason: `${effect.reason}: look for KES ${row.amount} from ${maskMsisdn(row.phone_number)}, account ${accountReferenceFor(row.booking_id)}, from ${row.created_at}`,
        details: {
          phoneNumber: row.phone_number,
          amount: row.amount,
          accountReference: accountReferenceFor(row.booking_id),
          pushedAt: row.created_at,
        },
        at,
      });
      return;
    case "record_checkout":
    case "schedule_check":
    case "record_result":
    case "record_failure":
    case "record_payment":
      return;
    default: {
      const _exhaustive: never = effect;
      return _exhaustive;
    }
  }
}

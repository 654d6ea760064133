/**
 * The payment state machine (design: payments.md). PURE: no I/O, no clock; the only import is the
 * list of statuses, which the data layer owns.
 * `transition(state, event, ctx)` lists every allowed move; whatever it does not list is rejected.
 * The payment service is the only caller and applies the effects in ONE database transaction with a
 * compare-and-set on the previous state, so two deliveries of the same result cannot both win.
 *
 * Money rules encoded here:
 * - Only a `paid` result moves money, and at most once per attempt (`ctx.recorded.paidAmount`).
 * - A paid result whose amount or phone differs from what we asked for never credits escrow: the
 *   money goes to suspense and the attempt to `needs_review`.
 * - Money for a fee that is no longer payable (already held by another attempt, booking cancelled)
 *   is an overpayment: it is owed back to the customer (`customer_refunds_payable`), never ignored.
 * - Unrecognised result codes never succeed and never fail: the attempt stays pending.
 */

import { PAYMENT_STATUSES, type PaymentStatus } from "../db/schema.ts";
import { resolveSuspense, type SuspenseAction } from "./suspense-decision.ts";

export { PAYMENT_STATUSES, type PaymentStatus };

/** Facts of a payment that Daraja reported as paid (ResultCode 0). Nulls: Daraja did not say (STK Query). */
export interface PaidFacts {
  resultCode: string;
  resultDesc: string;
  receipt: string | null;
  /** Whole KES as reported; null when the source (STK Query) does not carry it. */
  amount: number | null;
  /** Canonical MSISDN of the payer; null when absent or masked. */
  phone: string | null;
  /** `YYYYMMDDHHmmss` EAT as reported. */
  transactionDate: string | null;
}

export type PaymentEvent =
  /** Daraja accepted the STK Push synchronously (a prompt is on its way). */
  | { type: "push_accepted"; merchantRequestId: string; checkoutRequestId: string }
  /** Daraja refused the STK Push: no prompt was sent. */
  | { type: "push_refused"; errorCode: string; errorMessage: string }
  /** The push may have reached Daraja but we never saw the answer (timeout, broken connection). */
  | { type: "push_outcome_unknown"; reason: string }
  /** A signed callback told us the ids of a push whose response we lost. */
  | { type: "ids_adopted"; merchantRequestId: string; checkoutRequestId: string }
  /** ResultCode 0. */
  | { type: "paid"; facts: PaidFacts }
  /** A documented terminal failure code (1, 1032, 1037, 2001 …). */
  | { type: "failed"; resultCode: string; resultDesc: string; reason: string }
  /** "Still under processing" (4999, 500.001.1001 …): ask again later. */
  | { type: "not_final"; resultDesc: string }
  /** A code we do not know: never success, never failure. */
  | { type: "unrecognised"; resultCode: string; resultDesc: string }
  /** Pending for 24 h without a final answer. */
  | { type: "deadline_passed" }
  /** The push outcome was unknown, we never learnt a CheckoutRequestID, and the window for a callback passed. */
  | { type: "push_unconfirmed" }
  /** A person decided what becomes of this payment's money held in suspense (suspense-decision.ts). */
  | { type: "admin_resolve"; action: SuspenseAction; adminId: string; note: string };

export type PaymentEventType = PaymentEvent["type"];

export const PAYMENT_EVENT_TYPES: readonly PaymentEventType[] = [
  "push_accepted",
  "push_refused",
  "push_outcome_unknown",
  "ids_adopted",
  "paid",
  "failed",
  "not_final",
  "unrecognised",
  "deadline_passed",
  "push_unconfirmed",
  "admin_resolve",
];

/** Where the booking fee stands, seen from this attempt. */
export type FeeStanding =
  /** Pending: this payment may pay it. */
  | "awaiting_payment"
  /** Held (or later released/refunded) because of THIS attempt. */
  | "paid_by_this_attempt"
  /** Held (or later) because another attempt paid it. */
  | "paid_by_another_attempt"
  /** Not payable any more for another reason (booking cancelled, fee refunded without payment). */
  | "not_payable";

export interface TransitionContext {
  expectedAmount: number;
  /** Canonical MSISDN the prompt was sent to. */
  expectedPhone: string;
  /** We hold Daraja's CheckoutRequestID for this attempt. */
  hasCheckoutId: boolean;
  fee: FeeStanding;
  /**
   * What this attempt already recorded; `paidAmount` non-null means its money is already on the
   * books; `inSuspense`: how much of it is held in suspense now (KES; read for `admin_resolve` only, 0 for other events).
   */
  recorded: {
    resultCode: string | null;
    receipt: string | null;
    paidAmount: number | null;
    inSuspense: number;
  };
}

/** When the reconciler should next look at an open attempt. */
export type CheckSchedule = "first_check" | "backoff" | "unconfirmed_push_window";

export type PaymentEffect =
  | { type: "record_checkout"; merchantRequestId: string; checkoutRequestId: string }
  | { type: "schedule_check"; when: CheckSchedule }
  /** Store Daraja's code and description (result or push refusal). */
  | { type: "record_result"; resultCode: string; resultDesc: string }
  | { type: "record_failure"; reason: string }
  /** Store the facts of the money received (receipt, amount, phone, date). */
  | { type: "record_payment"; facts: PaidFacts; amount: number }
  /** Ledger: mpesa_clearing → booking_fee_escrow. */
  | { type: "credit_escrow"; amount: number }
  /** Booking fee `held` by this attempt; booking `matching`. */
  | { type: "hold_fee" }
  /** Ledger: mpesa_clearing → suspense (a person decides). */
  | { type: "credit_suspense"; amount: number }
  /** Ledger: mpesa_clearing → customer_refunds_payable (overpayment to give back). */
  | { type: "owe_refund"; amount: number }
  /** Ledger: suspense → escrow (the fee is held) or → customer_refunds_payable (a person decided). */
  | { type: "release_suspense"; to: "booking_fee_escrow" | "customer_refunds_payable"; amount: number }
  /** Put the attempt on the review list: money may have moved without our knowing (a person settles it). */
  | { type: "open_review"; kind: "push_unconfirmed"; reason: string };

export interface Transition {
  to: PaymentStatus;
  effects: PaymentEffect[];
  /** True when the event repeated what we already knew: recorded, nothing changed. */
  duplicate: boolean;
  /** One line for the event row and logs: why this move. */
  note: string;
}

export interface Rejection {
  rejected: string;
}

export function isRejection(result: Transition | Rejection): result is Rejection {
  return "rejected" in result;
}

/** initiated/pending: the attempt may still turn into money; one per fee (open_fee_key). */
export function isOpen(status: PaymentStatus): boolean {
  switch (status) {
    case "initiated":
    case "pending":
      return true;
    case "completed":
    case "failed":
    case "needs_review":
      return false;
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}

/** Final for the customer: no further automatic change is expected (a late result may still arrive). */
export function isFinal(status: PaymentStatus): boolean {
  return !isOpen(status);
}

const move = (to: PaymentStatus, note: string, ...effects: PaymentEffect[]): Transition => ({
  to,
  effects,
  duplicate: false,
  note,
});
const same = (to: PaymentStatus, note: string): Transition => ({ to, effects: [], duplicate: true, note });
const reject = (reason: string): Rejection => ({ rejected: reason });

export function transition(
  state: PaymentStatus,
  event: PaymentEvent,
  ctx: TransitionContext,
): Transition | Rejection {
  switch (state) {
    case "initiated":
      return fromInitiated(event);
    case "pending":
      return fromPending(event, ctx);
    case "completed":
      return fromCompleted(event, ctx);
    case "failed":
      return fromFailed(event, ctx);
    case "needs_review":
      return fromNeedsReview(event, ctx);
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

function fromInitiated(event: PaymentEvent): Transition | Rejection {
  switch (event.type) {
    case "push_accepted":
      return move(
        "pending",
        "Daraja accepted the push",
        {
          type: "record_checkout",
          merchantRequestId: event.merchantRequestId,
          checkoutRequestId: event.checkoutRequestId,
        },
        { type: "schedule_check", when: "first_check" },
      );
    case "push_refused":
      return move(
        "failed",
        "Daraja refused the push",
        { type: "record_result", resultCode: event.errorCode, resultDesc: event.errorMessage },
        {
          type: "record_failure",
          reason: `M-Pesa refused the request: ${event.errorMessage} (${event.errorCode})`,
        },
      );
    case "push_outcome_unknown":
      return move("pending", `push outcome unknown (${event.reason}); waiting for a callback`, {
        type: "schedule_check",
        when: "unconfirmed_push_window",
      });
    case "ids_adopted":
    case "paid":
    case "failed":
    case "not_final":
    case "unrecognised":
      return reject("the push is not settled yet");
    case "deadline_passed":
    case "push_unconfirmed":
      return reject("not pending");
    case "admin_resolve":
      return reject(NOT_UNDER_REVIEW);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const NOT_UNDER_REVIEW = "not under review";

function fromPending(event: PaymentEvent, ctx: TransitionContext): Transition | Rejection {
  switch (event.type) {
    case "push_accepted":
    case "ids_adopted":
      if (ctx.hasCheckoutId) return reject("the attempt already has its Daraja ids");
      return move(
        "pending",
        event.type === "ids_adopted" ? "ids adopted from a signed callback" : "Daraja accepted the push",
        {
          type: "record_checkout",
          merchantRequestId: event.merchantRequestId,
          checkoutRequestId: event.checkoutRequestId,
        },
        { type: "schedule_check", when: "first_check" },
      );
    case "push_refused":
    case "push_outcome_unknown":
      return reject("the push is already settled");
    case "paid":
      return receiveMoney("pending", event.facts, ctx);
    case "failed":
      return move(
        "failed",
        `payment failed: ${event.reason}`,
        { type: "record_result", resultCode: event.resultCode, resultDesc: event.resultDesc },
        { type: "record_failure", reason: event.reason },
      );
    case "not_final":
      return move("pending", "still processing", { type: "schedule_check", when: "backoff" });
    case "unrecognised":
      // Never success, never failure: keep asking, and let the 24 h deadline send it to review.
      return move(
        "pending",
        `unrecognised result code ${event.resultCode}; asking again later`,
        { type: "record_result", resultCode: event.resultCode, resultDesc: event.resultDesc },
        { type: "schedule_check", when: "backoff" },
      );
    case "deadline_passed":
      return move("needs_review", "no final answer from M-Pesa within 24 hours", {
        type: "record_failure",
        reason: "no final answer from M-Pesa within 24 hours",
      });
    case "push_unconfirmed":
      if (ctx.hasCheckoutId) return reject("the push was confirmed");
      // Failed, so the customer can try again; but a prompt may have gone out and been paid.
      return move(
        "failed",
        "push outcome unknown; no prompt was confirmed",
        { type: "record_failure", reason: PUSH_UNCONFIRMED_REASON },
        { type: "open_review", kind: "push_unconfirmed", reason: PUSH_UNCONFIRMED_REVIEW },
      );
    case "admin_resolve":
      return reject(NOT_UNDER_REVIEW);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** What the customer reads. */
export const PUSH_UNCONFIRMED_REASON =
  "We could not confirm that M-Pesa sent the prompt. If money was taken, we will find it; you can try again.";
/** What the person reviewing reads. */
export const PUSH_UNCONFIRMED_REVIEW = "push outcome unknown and no callback came; money may have been taken";

function fromCompleted(event: PaymentEvent, ctx: TransitionContext): Transition | Rejection {
  switch (event.type) {
    case "push_accepted":
    case "push_refused":
    case "push_outcome_unknown":
    case "ids_adopted":
      return reject("the push is already settled");
    case "paid": {
      if (contradictsRecordedPayment(event.facts, ctx))
        return move(
          "needs_review",
          "a different payment result for a completed attempt",
          ...contradiction(event),
        );
      if (ctx.recorded.receipt === null && event.facts.receipt !== null)
        return {
          to: "completed",
          duplicate: false,
          note: "same result again; receipt learnt",
          effects: [
            {
              type: "record_payment",
              facts: event.facts,
              amount: ctx.recorded.paidAmount ?? ctx.expectedAmount,
            },
          ],
        };
      return same("completed", "same result again");
    }
    case "failed":
    case "unrecognised":
      return move(
        "needs_review",
        `result ${event.resultCode} contradicts the recorded payment`,
        ...contradiction(event),
      );
    case "not_final":
      return same("completed", "query not final for a completed attempt; ignored");
    case "deadline_passed":
    case "push_unconfirmed":
      return reject("not pending");
    case "admin_resolve":
      return reject(NOT_UNDER_REVIEW);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function fromFailed(event: PaymentEvent, ctx: TransitionContext): Transition | Rejection {
  switch (event.type) {
    case "push_accepted":
    case "push_refused":
    case "push_outcome_unknown":
      return reject("the push is already settled");
    case "ids_adopted":
      // A failed attempt whose push outcome was unknown can still learn its ids from a late callback.
      if (ctx.hasCheckoutId) return reject("the attempt already has its Daraja ids");
      return move("failed", "ids adopted from a signed callback", {
        type: "record_checkout",
        merchantRequestId: event.merchantRequestId,
        checkoutRequestId: event.checkoutRequestId,
      });
    case "paid":
      // Money taken is never ignored: a late success completes the attempt, or is owed back.
      return receiveMoney("failed", event.facts, ctx);
    case "failed":
      return same("failed", "failure again");
    case "not_final":
    case "unrecognised":
      return same("failed", "no new fact for a failed attempt");
    case "deadline_passed":
    case "push_unconfirmed":
      return reject("not pending");
    case "admin_resolve":
      return reject(NOT_UNDER_REVIEW);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function fromNeedsReview(event: PaymentEvent, ctx: TransitionContext): Transition | Rejection {
  switch (event.type) {
    case "push_accepted":
    case "push_refused":
    case "push_outcome_unknown":
    case "ids_adopted":
      return reject("the push is already settled");
    case "paid":
      if (ctx.recorded.paidAmount === null) {
        // A person is already deciding; the money is put aside for them, not into escrow.
        const amount = event.facts.amount ?? ctx.expectedAmount;
        return move(
          "needs_review",
          "payment arrived for an attempt under review; held in suspense",
          { type: "record_result", resultCode: event.facts.resultCode, resultDesc: event.facts.resultDesc },
          { type: "record_payment", facts: event.facts, amount },
          { type: "credit_suspense", amount },
        );
      }
      return same("needs_review", "under review; result recorded");
    case "failed":
    case "not_final":
    case "unrecognised":
      return same("needs_review", "under review; result recorded");
    case "deadline_passed":
    case "push_unconfirmed":
      return reject("not pending");
    case "admin_resolve":
      return resolveSuspense(event, ctx);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** A paid result for an attempt that holds no money yet (pending, or failed and paid late). */
function receiveMoney(from: "pending" | "failed", facts: PaidFacts, ctx: TransitionContext): Transition {
  const amount = facts.amount ?? ctx.expectedAmount;
  const recordResult: PaymentEffect = {
    type: "record_result",
    resultCode: facts.resultCode,
    resultDesc: facts.resultDesc,
  };
  const recordPayment: PaymentEffect = { type: "record_payment", facts, amount };
  if (ctx.recorded.paidAmount !== null)
    // Defensive: this attempt's money is already on the books; never post it twice.
    return same(from, "money already recorded for this attempt");
  const mismatch = describeMismatch(facts, ctx);
  if (mismatch !== null)
    return move(
      "needs_review",
      `${mismatch}; money held in suspense`,
      recordResult,
      recordPayment,
      { type: "record_failure", reason: mismatch },
      { type: "credit_suspense", amount },
    );
  switch (ctx.fee) {
    case "awaiting_payment":
      return move(
        "completed",
        from === "failed" ? "paid after a recorded failure" : "paid",
        recordResult,
        recordPayment,
        { type: "credit_escrow", amount },
        { type: "hold_fee" },
      );
    case "paid_by_another_attempt":
    case "not_payable": {
      const reason =
        ctx.fee === "paid_by_another_attempt"
          ? "the fee was already paid by another attempt; overpayment to refund"
          : "the booking fee is no longer payable; payment to refund";
      return move(
        "needs_review",
        reason,
        recordResult,
        recordPayment,
        { type: "record_failure", reason },
        { type: "owe_refund", amount },
      );
    }
    case "paid_by_this_attempt":
      // The fee says this attempt paid it, yet the attempt never recorded money: facts disagree.
      return move(
        "needs_review",
        "fee held by this attempt without recorded money",
        recordResult,
        recordPayment,
        { type: "record_failure", reason: "fee held by this attempt without recorded money" },
        { type: "credit_suspense", amount },
      );
    default: {
      const _exhaustive: never = ctx.fee;
      return _exhaustive;
    }
  }
}

function describeMismatch(facts: PaidFacts, ctx: TransitionContext): string | null {
  if (facts.amount !== null && facts.amount !== ctx.expectedAmount)
    return `amount paid ${facts.amount} differs from the ${ctx.expectedAmount} requested`;
  if (facts.phone !== null && facts.phone !== ctx.expectedPhone)
    return "paid from a different phone number than the one prompted";
  return null;
}

/** Same result code 0, and no conflicting receipt or amount. */
function contradictsRecordedPayment(facts: PaidFacts, ctx: TransitionContext): boolean {
  const { receipt, paidAmount } = ctx.recorded;
  if (receipt !== null && facts.receipt !== null && receipt !== facts.receipt) return true;
  if (facts.amount !== null && facts.amount !== (paidAmount ?? ctx.expectedAmount)) return true;
  return false;
}

function contradiction(
  event: Extract<PaymentEvent, { type: "paid" | "failed" | "unrecognised" }>,
): PaymentEffect[] {
  const code = event.type === "paid" ? event.facts.resultCode : event.resultCode;
  const reason = `contradictory result ${code} after the payment completed`;
  return [{ type: "record_failure", reason }];
}

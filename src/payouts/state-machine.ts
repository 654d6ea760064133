/**
 * The state machine of money going out (design: escrow.md): payouts to technicians (B2C) and
 * refunds to customers (Reversal) share it. PURE: no I/O, no clock, only its own pure modules.
 * `transition(state, event, ctx)` lists every allowed move; whatever it does not list is rejected.
 * `applyPayoutEvent` is the only caller: compare-and-set, ledger and event row in one transaction.
 *
 * Money rules encoded here:
 * - Only a verified success (ids, amount, recipient match what we sent) settles the payable, once.
 * - A failure leaves the money payable; the item waits for a retry or a person.
 * - An unknown outcome never fails by itself: Transaction Status (or a person) decides.
 * - After success nothing moves the money again; a contradicting fact is recorded, not obeyed.
 */
import type {
  PayoutContext,
  PayoutEvent,
  PayoutStatus,
  Rejection,
  StatusFinding,
  Transition,
} from "./payout-events.ts";
import type { ResultFacts } from "./result-check.ts";
import { fromFailed, fromNeedsReview, fromSucceeded } from "./settled.ts";
import {
  failOrReview,
  idsDiffer,
  insufficientFunds,
  move,
  reject,
  resultFailure,
  review,
  same,
  submission,
  succeed,
} from "./transitions.ts";

export * from "./payout-events.ts";

export function transition(
  state: PayoutStatus,
  event: PayoutEvent,
  ctx: PayoutContext,
): Transition | Rejection {
  if (event.type === "already_reversed" && ctx.kind !== "refund")
    return reject("only a reversal can be already reversed");
  switch (state) {
    case "queued":
      return fromQueued(event, ctx);
    case "submitted":
    case "unknown":
      return fromInFlight(state, event, ctx);
    case "succeeded":
      return fromSucceeded(event, ctx);
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

function fromQueued(event: PayoutEvent, ctx: PayoutContext): Transition | Rejection {
  switch (event.type) {
    case "approved":
      if (!ctx.approvalRequired) return reject("this item needs no approval");
      if (ctx.approved) return same("queued", "already approved");
      return move("queued", "approved", { type: "record_approval", adminId: event.adminId });
    case "submit_accepted":
      // A fact about what Daraja did: recorded even if policy should not have sent it.
      return move("submitted", "Daraja accepted the request", submission(event), {
        type: "schedule_check",
        when: "result_wait",
      });
    case "submit_refused":
      return failOrReview(ctx, `M-Pesa refused the request: ${event.errorMessage} (${event.errorCode})`, {
        type: "record_result",
        resultCode: event.errorCode,
        resultDesc: event.errorMessage,
        receipt: null,
      });
    case "submit_outcome_unknown":
      // Resending again would only be refused again, and asking again only finds nothing again.
      if (event.notFoundBefore)
        return review(
          "Daraja refused the resend as a duplicate, yet Transaction Status found nothing for it: it holds a request it never carried out; a person decides",
        );
      return move("unknown", `submit outcome unknown (${event.reason}); Transaction Status decides`, {
        type: "schedule_check",
        when: "status_check",
      });
    case "insufficient_funds":
      return insufficientFunds(event);
    case "queue_timeout":
      return move("unknown", "queue timeout before the answer was recorded; Transaction Status decides", {
        type: "schedule_check",
        when: "status_check",
      });
    case "result_success":
    case "result_failure":
    case "already_reversed":
    case "result_overdue":
    case "status_result":
    case "deadline_passed":
      return reject("not submitted yet");
    case "admin_retry":
      return reject("already queued");
    case "admin_resolve":
      return reject("not under review");
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function fromInFlight(
  state: "submitted" | "unknown",
  event: PayoutEvent,
  ctx: PayoutContext,
): Transition | Rejection {
  switch (event.type) {
    case "approved":
      return reject("not awaiting approval");
    case "submit_accepted":
      if (state === "unknown")
        return move("submitted", "Daraja accepted the resubmission", submission(event), {
          type: "schedule_check",
          when: "result_wait",
        });
      if (event.conversationId === ctx.conversationId) return same("submitted", "same acceptance again");
      return move("needs_review", "Daraja accepted a second request for one item", {
        type: "record_failure",
        reason: "Daraja accepted a second request for one item",
      });
    case "submit_refused":
      if (state === "submitted") return reject("already accepted");
      // The first request may still have gone through: a refused resend proves nothing.
      return move("unknown", "resubmission refused; Transaction Status decides", {
        type: "schedule_check",
        when: "status_check",
      });
    case "submit_outcome_unknown":
      if (state === "submitted") return reject("already accepted");
      return same("unknown", "outcome still unknown");
    case "insufficient_funds":
      if (idsDiffer(event.conversationId, ctx.conversationId)) return review("ConversationID differs");
      return insufficientFunds(event);
    case "result_success":
      return succeed(ctx, event.facts, "paid", true);
    case "result_failure":
      return resultFailure(ctx, event.facts);
    case "already_reversed":
      return succeed(ctx, event.facts, "the receipt is already reversed", false);
    case "queue_timeout":
    case "result_overdue":
      if (state === "unknown") return same("unknown", "already waiting for Transaction Status");
      return move(
        "unknown",
        event.type === "queue_timeout" ? "queue timeout; Transaction Status decides" : "no result in time",
        { type: "schedule_check", when: "status_check" },
      );
    case "status_result":
      return statusResult(state, event.finding, event.facts, ctx);
    case "deadline_passed":
      return move("needs_review", "no final answer within 24 hours", {
        type: "record_failure",
        reason: "no final answer from M-Pesa within 24 hours",
      });
    case "admin_retry":
      return reject("still in flight; Transaction Status decides");
    case "admin_resolve":
      return reject("not under review");
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function statusResult(
  state: "submitted" | "unknown",
  finding: StatusFinding,
  facts: ResultFacts,
  ctx: PayoutContext,
): Transition {
  switch (finding) {
    case "completed":
      return succeed(ctx, facts, "Transaction Status: completed", true);
    case "failed":
      return resultFailure(ctx, facts);
    case "not_found":
      // Daraja accepted it: it is on its way.
      if (state === "submitted")
        return move(state, "Transaction Status does not know it yet", {
          type: "schedule_check",
          when: "status_check",
        });
      if (ctx.kind === "refund")
        return review("Transaction Status found no reversal; a reversal is never resent automatically");
      // Same OriginatorConversationID: if the first request did arrive, Daraja refuses the resend
      // (`notFoundBefore`), so it is sent as a first send would be.
      return move("queued", "Transaction Status: never received; submit again with the same id", {
        type: "forget_submit_start",
      });
    case "pending":
      return move(state, "Transaction Status: still processing", {
        type: "schedule_check",
        when: "status_check",
      });
    default: {
      const _exhaustive: never = finding;
      return _exhaustive;
    }
  }
}

/**
 * Transitions after the outcome is known (PURE): `succeeded`, `failed` and `needs_review`. After
 * success nothing moves the money again; a failed or reviewed item moves only by a person's decision
 * or to review on contradicting facts.
 */
import type { PayoutContext, PayoutEvent, Rejection, Transition } from "./payout-events.ts";
import { checkResult } from "./result-check.ts";
import { contradiction, move, reject, resolveSucceeded, retry, review, same } from "./transitions.ts";

export function fromSucceeded(event: PayoutEvent, ctx: PayoutContext): Transition | Rejection {
  switch (event.type) {
    case "approved":
    case "submit_refused":
    case "submit_outcome_unknown":
    case "deadline_passed":
    case "admin_retry":
    case "admin_resolve":
      return reject("already succeeded");
    case "submit_accepted":
      if (event.conversationId === ctx.conversationId) return same("succeeded", "same acceptance again");
      return reject("already succeeded");
    case "result_success":
    case "already_reversed": {
      const mismatch = checkResult(event.facts, ctx, { requireAmount: event.type === "result_success" });
      const { receipt } = event.facts;
      if (mismatch === null && (receipt === null || ctx.receipt === null || receipt === ctx.receipt))
        return same("succeeded", "same result again");
      return contradiction(`a different success result after success: ${mismatch ?? "receipt differs"}`);
    }
    case "status_result":
      if (event.finding === "completed" || event.finding === "pending" || event.finding === "not_found")
        return same("succeeded", "status after success; nothing to do");
      return contradiction("Transaction Status says failed after success");
    case "result_failure":
    case "insufficient_funds":
      return contradiction("a failure result after success");
    case "queue_timeout":
    case "result_overdue":
      return same("succeeded", "already succeeded; ignored");
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function fromFailed(event: PayoutEvent, ctx: PayoutContext): Transition | Rejection {
  switch (event.type) {
    case "approved":
    case "submit_accepted":
    case "submit_refused":
    case "submit_outcome_unknown":
    case "deadline_passed":
      return reject("failed; retry it first");
    case "result_success":
    case "already_reversed":
      // The money may have left after we recorded a failure: never settle on contradicting facts.
      return review("a success result after a recorded failure");
    case "status_result":
      if (event.finding === "completed") return review("Transaction Status: completed after a failure");
      return same("failed", "no new fact for a failed item");
    case "result_failure":
    case "insufficient_funds":
    case "queue_timeout":
    case "result_overdue":
      return same("failed", "no new fact for a failed item");
    case "admin_retry":
      return retry(event);
    case "admin_resolve":
      if (event.outcome === "failed") return reject("already failed");
      return resolveSucceeded(event, ctx);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function fromNeedsReview(event: PayoutEvent, ctx: PayoutContext): Transition | Rejection {
  switch (event.type) {
    case "approved":
    case "submit_accepted":
    case "submit_refused":
    case "submit_outcome_unknown":
    case "deadline_passed":
      return reject("under review");
    case "insufficient_funds":
    case "result_success":
    case "result_failure":
    case "already_reversed":
    case "queue_timeout":
    case "result_overdue":
    case "status_result":
      return same("needs_review", "under review; recorded for the person deciding");
    case "admin_retry":
      return retry(event);
    case "admin_resolve":
      if (event.outcome === "succeeded") return resolveSucceeded(event, ctx);
      return move(
        "failed",
        "resolved by an admin: failed",
        { type: "record_decision", adminId: event.adminId, note: event.note },
        { type: "record_failure", reason: `resolved as failed: ${event.note}` },
      );
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

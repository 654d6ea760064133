/**
 * What the submitter should do next with a payout or refund (PURE). The state machine decides what
 * a fact means; this decides when to ask Daraja, so that a B2C is only resent under the same
 * OriginatorConversationID (Daraja refuses the duplicate) and a Reversal is never resent by itself.
 */
import type { PayoutKind, PayoutStatus } from "./payout-events.ts";

export type SubmissionStep =
  /** Send the request (B2C with `originatorConversationIdFor`, or the Reversal). */
  | "submit"
  /** PAYOUT_APPROVAL=admin: wait for `POST /admin/payouts/:id/approve`. */
  | "await_approval"
  /** A reversal whose earlier send may have gone out: apply `submit_outcome_unknown`, do not resend. */
  | "mark_unknown"
  /** Ask Transaction Status (refunds: about the original receipt). */
  | "ask_status"
  /** Submitted: wait for the result (or `result_overdue` when it is late). */
  | "wait_for_result"
  /** Final or with a person: nothing automatic. */
  | "none";

export interface SubmissionFacts {
  kind: PayoutKind;
  approvalRequired: boolean;
  approved: boolean;
  /** A send was started for the current attempt (recorded before calling Daraja). */
  submitStarted: boolean;
}

export function nextStep(status: PayoutStatus, facts: SubmissionFacts): SubmissionStep {
  switch (status) {
    case "queued":
      if (facts.approvalRequired && !facts.approved) return "await_approval";
      // A B2C resend reuses the attempt's OriginatorConversationID; a Reversal has no such key.
      if (facts.submitStarted && facts.kind === "refund") return "mark_unknown";
      return "submit";
    case "unknown":
      // Transaction Status first; a payout it never saw comes back `queued` and is sent again with
      // the same OriginatorConversationID (a duplicate answer then means "already accepted").
      return "ask_status";
    case "submitted":
      return "wait_for_result";
    case "succeeded":
    case "failed":
    case "needs_review":
      return "none";
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}

/** Our OriginatorConversationID for a payout's attempt: the same id for every resend of one attempt. */
export function originatorConversationIdFor(payoutId: string, attempt: number): string {
  return `${payoutId}-${attempt}`;
}

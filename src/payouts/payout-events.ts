/**
 * The vocabulary of money going out (payouts by B2C, refunds by Reversal): statuses, events,
 * context and effects of the state machine in `state-machine.ts`. PURE types and constants.
 */
import type { ResultFacts } from "./result-check.ts";

export type { ResultFacts };

import { PAYOUT_STATUSES, type PayoutKind, type PayoutStatus } from "../db/schema.ts";

export { PAYOUT_STATUSES, type PayoutKind, type PayoutStatus };

/** Definitive failures after which a person must decide instead of another retry. */
export const MAX_FAILURES = 3;

/** What Transaction Status found about the money (for a refund: about the reversal of the receipt). */
export type StatusFinding = "completed" | "failed" | "not_found" | "pending";

export type PayoutEvent =
  /** An admin approved a payout held by PAYOUT_APPROVAL=admin. */
  | { type: "approved"; adminId: string }
  /** Daraja accepted the request synchronously; we hold its ids. */
  | { type: "submit_accepted"; conversationId: string; originatorConversationId: string }
  /** Daraja refused the request synchronously: nothing was sent. */
  | { type: "submit_refused"; errorCode: string; errorMessage: string }
  /**
   * The request may have reached Daraja but its answer was lost, or Daraja refused a resend as a
   * duplicate. `notFoundBefore`: the duplicate answered a send made after Transaction Status had
   * found nothing for this attempt — Daraja holds a request it has no transaction for.
   */
  | { type: "submit_outcome_unknown"; reason: string; notFoundBefore?: boolean }
  /** ResultCode 1: the B2C utility account lacks funds. Not the recipient's failure. */
  | { type: "insufficient_funds"; resultCode: string; resultDesc: string; conversationId: string | null }
  | { type: "result_success"; facts: ResultFacts }
  | { type: "result_failure"; facts: ResultFacts }
  /** Reversal R000001: the receipt is already reversed (by an earlier request of ours). */
  | { type: "already_reversed"; facts: ResultFacts }
  /** A notice on QueueTimeOutURL: the request timed out in M-Pesa's queue. */
  | { type: "queue_timeout" }
  /** Submitted, but no result came in time. */
  | { type: "result_overdue" }
  | { type: "status_result"; finding: StatusFinding; facts: ResultFacts }
  /** 24 h after submission without a final answer. */
  | { type: "deadline_passed" }
  | { type: "admin_retry"; adminId: string; note: string }
  | { type: "admin_resolve"; adminId: string; note: string; outcome: "succeeded" | "failed" };

export type PayoutEventType = PayoutEvent["type"];

export const PAYOUT_EVENT_TYPES: readonly PayoutEventType[] = [
  "approved",
  "submit_accepted",
  "submit_refused",
  "submit_outcome_unknown",
  "insufficient_funds",
  "result_success",
  "result_failure",
  "already_reversed",
  "queue_timeout",
  "result_overdue",
  "status_result",
  "deadline_passed",
  "admin_retry",
  "admin_resolve",
];

export interface PayoutContext {
  kind: PayoutKind;
  /** Whole KES we asked to send. */
  amount: number;
  /** Canonical MSISDN we asked to send to. */
  recipient: string;
  approvalRequired: boolean;
  approved: boolean;
  conversationId: string | null;
  originatorConversationId: string | null;
  /** Refunds: the payment receipt being reversed. */
  originalReceipt: string | null;
  /** Daraja's receipt of our result, once recorded. */
  receipt: string | null;
  /** Definitive failures so far. */
  failures: number;
}

export type PayableAccount = "technician_payable" | "customer_refunds_payable";
export type CheckSchedule = "result_wait" | "status_check" | "funds_retry";

export type PayoutEffect =
  | { type: "record_approval"; adminId: string }
  | { type: "record_submission"; conversationId: string; originatorConversationId: string }
  | { type: "record_result"; resultCode: string; resultDesc: string; receipt: string | null }
  | { type: "record_failure"; reason: string }
  | { type: "count_failure" }
  /** Ledger: the payable account → mpesa_clearing (the money left our M-Pesa). */
  | { type: "settle"; account: PayableAccount; amount: number }
  /** A fresh attempt: new OriginatorConversationID, Daraja ids cleared. */
  | { type: "requeue" }
  /** The same attempt, sent again as if for the first time: Transaction Status found nothing. */
  | { type: "forget_submit_start" }
  | { type: "schedule_check"; when: CheckSchedule }
  | { type: "alert_insufficient_funds" }
  /** A person's decision, with who and why, for the event log. */
  | { type: "record_decision"; adminId: string; note: string }
  /** A fact that contradicts a settled outcome: logged for a person, never acted on. */
  | { type: "record_contradiction"; reason: string };

export interface Transition {
  to: PayoutStatus;
  effects: PayoutEffect[];
  /** The event repeated what we already knew: recorded, nothing changed. */
  duplicate: boolean;
  note: string;
}

export interface Rejection {
  rejected: string;
}

export function isRejection(result: Transition | Rejection): result is Rejection {
  return "rejected" in result;
}

/** The ledger account a payout or refund is owed from until it succeeds. */
export function payableAccount(kind: PayoutKind): PayableAccount {
  switch (kind) {
    case "payout":
      return "technician_payable";
    case "refund":
      return "customer_refunds_payable";
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}

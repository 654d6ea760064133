/**
 * The table for state-machine.test.ts: every payout/refund state × event, plus the context variants
 * that change the answer (the kind, lost ids, approval, repeated failures, disagreeing results).
 */
import type {
  PayoutContext,
  PayoutEffect,
  PayoutEvent,
  PayoutEventType,
  PayoutStatus,
  ResultFacts,
} from "../../../src/payouts/state-machine.ts";

export const PHONE = "254708374149";

export function ctx(overrides: Partial<PayoutContext> = {}): PayoutContext {
  return {
    kind: "payout",
    amount: 450,
    recipient: PHONE,
    approvalRequired: false,
    approved: false,
    conversationId: "AG_20260115_1",
    originatorConversationId: "pyt_1-1",
    originalReceipt: null,
    receipt: null,
    failures: 0,
    ...overrides,
  };
}

export function facts(overrides: Partial<ResultFacts> = {}): ResultFacts {
  return {
    resultCode: "0",
    resultDesc: "The service request is processed successfully.",
    conversationId: "AG_20260115_1",
    originatorConversationId: "pyt_1-1",
    receipt: "SG632NMUAB",
    amount: 450,
    recipient: PHONE,
    originalReceipt: null,
    ...overrides,
  };
}

const failure = (overrides: Partial<ResultFacts> = {}) =>
  facts({
    resultCode: "2040",
    resultDesc: "Credit Party customer type (Unregistered) not supported",
    receipt: null,
    amount: null,
    recipient: null,
    ...overrides,
  });

export const EVENTS: Record<PayoutEventType, PayoutEvent> = {
  approved: { type: "approved", adminId: "usr_admin" },
  submit_accepted: {
    type: "submit_accepted",
    conversationId: "AG_20260115_1",
    originatorConversationId: "pyt_1-1",
  },
  submit_refused: {
    type: "submit_refused",
    errorCode: "400.002.02",
    errorMessage: "Bad Request - Invalid PartyB",
  },
  submit_outcome_unknown: { type: "submit_outcome_unknown", reason: "timeout" },
  insufficient_funds: {
    type: "insufficient_funds",
    resultCode: "1",
    resultDesc: "The balance is insufficient for the transaction.",
    conversationId: "AG_20260115_1",
  },
  result_success: { type: "result_success", facts: facts() },
  result_failure: { type: "result_failure", facts: failure() },
  already_reversed: {
    type: "already_reversed",
    facts: facts({ resultCode: "R000001", amount: null, recipient: null }),
  },
  queue_timeout: { type: "queue_timeout" },
  result_overdue: { type: "result_overdue" },
  status_result: { type: "status_result", finding: "completed", facts: facts() },
  deadline_passed: { type: "deadline_passed" },
  admin_retry: { type: "admin_retry", adminId: "usr_admin", note: "number fixed" },
  admin_resolve: {
    type: "admin_resolve",
    adminId: "usr_admin",
    note: "seen in the portal",
    outcome: "succeeded",
  },
};

const QUEUED = ctx({ conversationId: null, originatorConversationId: null });
const LOST = ctx({ conversationId: null });
const REFUND = ctx({
  kind: "refund",
  originalReceipt: "UAF0000001",
  originatorConversationId: "10571-7910404-1",
});
const REFUND_LOST = ctx({
  kind: "refund",
  originalReceipt: "UAF0000001",
  conversationId: null,
  originatorConversationId: null,
});
const DONE = ctx({ receipt: "SG632NMUAB" });

export type Expected =
  | "rejected"
  | { to: PayoutStatus; effects: PayoutEffect["type"][]; duplicate?: boolean };

export interface Row {
  state: PayoutStatus;
  event: PayoutEventType;
  ctx?: PayoutContext;
  /** Replaces the event of EVENTS. */
  with?: PayoutEvent;
  expect: Expected;
  why?: string;
}

const SETTLED: PayoutEffect["type"][] = ["record_result", "settle"];
const FAILED: PayoutEffect["type"][] = ["record_result", "record_failure", "count_failure"];
const REVIEW: PayoutEffect["type"][] = ["record_result", "record_failure"];
const REQUEUE_FUNDS: PayoutEffect["type"][] = [
  "record_result",
  "requeue",
  "alert_insufficient_funds",
  "schedule_check",
];
const DUP = (to: PayoutStatus): Expected => ({ to, effects: [], duplicate: true });
const status = (
  finding: "completed" | "failed" | "not_found" | "pending",
  f: ResultFacts = facts(),
): PayoutEvent => ({
  type: "status_result",
  finding,
  facts: f,
});

/** Every state × event, plus the context variants that change the answer. */
export const TABLE: Row[] = [
  // queued
  { state: "queued", event: "approved", ctx: QUEUED, expect: "rejected", why: "auto approval" },
  {
    state: "queued",
    event: "approved",
    ctx: { ...QUEUED, approvalRequired: true },
    expect: { to: "queued", effects: ["record_approval"] },
  },
  {
    state: "queued",
    event: "approved",
    ctx: { ...QUEUED, approvalRequired: true, approved: true },
    expect: DUP("queued"),
  },
  {
    state: "queued",
    event: "submit_accepted",
    ctx: QUEUED,
    expect: { to: "submitted", effects: ["record_submission", "schedule_check"] },
  },
  { state: "queued", event: "submit_refused", ctx: QUEUED, expect: { to: "failed", effects: FAILED } },
  {
    state: "queued",
    event: "submit_refused",
    ctx: { ...QUEUED, failures: 2 },
    expect: { to: "needs_review", effects: FAILED },
    why: "third failure",
  },
  {
    state: "queued",
    event: "submit_outcome_unknown",
    ctx: QUEUED,
    expect: { to: "unknown", effects: ["schedule_check"] },
  },
  {
    state: "queued",
    event: "submit_outcome_unknown",
    ctx: LOST,
    with: {
      type: "submit_outcome_unknown",
      reason: "Daraja already holds this request",
      notFoundBefore: true,
    },
    expect: { to: "needs_review", effects: ["record_failure"] },
    why: "a duplicate of a request Transaction Status found nothing for",
  },
  {
    state: "queued",
    event: "insufficient_funds",
    ctx: QUEUED,
    expect: { to: "queued", effects: REQUEUE_FUNDS },
  },
  { state: "queued", event: "result_success", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "result_failure", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "already_reversed", ctx: { ...REFUND_LOST }, expect: "rejected" },
  {
    state: "queued",
    event: "queue_timeout",
    ctx: QUEUED,
    expect: { to: "unknown", effects: ["schedule_check"] },
  },
  { state: "queued", event: "result_overdue", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "status_result", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "deadline_passed", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "admin_retry", ctx: QUEUED, expect: "rejected" },
  { state: "queued", event: "admin_resolve", ctx: QUEUED, expect: "rejected" },
  // submitted
  { state: "submitted", event: "approved", expect: "rejected" },
  { state: "submitted", event: "submit_accepted", expect: DUP("submitted") },
  {
    state: "submitted",
    event: "submit_accepted",
    with: { type: "submit_accepted", conversationId: "AG_other", originatorConversationId: "pyt_1-1" },
    expect: { to: "needs_review", effects: ["record_failure"] },
    why: "a second acceptance",
  },
  { state: "submitted", event: "submit_refused", expect: "rejected" },
  { state: "submitted", event: "submit_outcome_unknown", expect: "rejected" },
  { state: "submitted", event: "insufficient_funds", expect: { to: "queued", effects: REQUEUE_FUNDS } },
  {
    state: "submitted",
    event: "insufficient_funds",
    with: {
      ...(EVENTS.insufficient_funds as Extract<PayoutEvent, { type: "insufficient_funds" }>),
      conversationId: "AG_other",
    },
    expect: { to: "needs_review", effects: ["record_failure"] },
    why: "other conversation",
  },
  { state: "submitted", event: "result_success", expect: { to: "succeeded", effects: SETTLED } },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ amount: 500 }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "other amount",
  },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ recipient: "254711111111" }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "other recipient",
  },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ amount: null }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "no amount",
  },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ conversationId: "AG_other" }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "other ConversationID",
  },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ originatorConversationId: "pyt_1-2" }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "other OriginatorConversationID",
  },
  {
    state: "submitted",
    event: "result_success",
    with: { type: "result_success", facts: facts({ recipient: null }) },
    expect: { to: "succeeded", effects: SETTLED },
    why: "recipient not readable",
  },
  { state: "submitted", event: "result_failure", expect: { to: "failed", effects: FAILED } },
  {
    state: "submitted",
    event: "result_failure",
    ctx: ctx({ failures: 2 }),
    expect: { to: "needs_review", effects: FAILED },
    why: "third failure",
  },
  {
    state: "submitted",
    event: "result_failure",
    with: { type: "result_failure", facts: failure({ conversationId: "AG_other" }) },
    expect: { to: "needs_review", effects: REVIEW },
    why: "other ids",
  },
  { state: "submitted", event: "already_reversed", expect: "rejected", why: "a payout" },
  {
    state: "submitted",
    event: "already_reversed",
    ctx: REFUND,
    with: {
      type: "already_reversed",
      facts: facts({
        resultCode: "R000001",
        originatorConversationId: "10571-7910404-1",
        amount: null,
        recipient: null,
        receipt: null,
      }),
    },
    expect: { to: "succeeded", effects: SETTLED },
  },
  { state: "submitted", event: "queue_timeout", expect: { to: "unknown", effects: ["schedule_check"] } },
  { state: "submitted", event: "result_overdue", expect: { to: "unknown", effects: ["schedule_check"] } },
  { state: "submitted", event: "status_result", expect: { to: "succeeded", effects: SETTLED } },
  {
    state: "submitted",
    event: "status_result",
    with: status("failed", failure()),
    expect: { to: "failed", effects: FAILED },
  },
  {
    state: "submitted",
    event: "status_result",
    with: status("not_found"),
    expect: { to: "submitted", effects: ["schedule_check"] },
  },
  {
    state: "submitted",
    event: "status_result",
    with: status("pending"),
    expect: { to: "submitted", effects: ["schedule_check"] },
  },
  {
    state: "submitted",
    event: "deadline_passed",
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  { state: "submitted", event: "admin_retry", expect: "rejected" },
  { state: "submitted", event: "admin_resolve", expect: "rejected" },
  // unknown (the submit answer was lost: no ConversationID yet)
  { state: "unknown", event: "approved", ctx: LOST, expect: "rejected" },
  {
    state: "unknown",
    event: "submit_accepted",
    ctx: LOST,
    expect: { to: "submitted", effects: ["record_submission", "schedule_check"] },
  },
  {
    state: "unknown",
    event: "submit_refused",
    ctx: LOST,
    expect: { to: "unknown", effects: ["schedule_check"] },
    why: "a refused resend proves nothing",
  },
  { state: "unknown", event: "submit_outcome_unknown", ctx: LOST, expect: DUP("unknown") },
  {
    state: "unknown",
    event: "insufficient_funds",
    ctx: LOST,
    expect: { to: "queued", effects: REQUEUE_FUNDS },
  },
  {
    state: "unknown",
    event: "result_success",
    ctx: LOST,
    expect: { to: "succeeded", effects: ["record_submission", ...SETTLED] },
    why: "ids learnt",
  },
  { state: "unknown", event: "result_success", expect: { to: "succeeded", effects: SETTLED } },
  { state: "unknown", event: "result_failure", ctx: LOST, expect: { to: "failed", effects: FAILED } },
  { state: "unknown", event: "already_reversed", ctx: LOST, expect: "rejected", why: "a payout" },
  {
    state: "unknown",
    event: "already_reversed",
    ctx: REFUND_LOST,
    expect: { to: "succeeded", effects: ["record_submission", ...SETTLED] },
  },
  { state: "unknown", event: "queue_timeout", ctx: LOST, expect: DUP("unknown") },
  { state: "unknown", event: "result_overdue", ctx: LOST, expect: DUP("unknown") },
  {
    state: "unknown",
    event: "status_result",
    ctx: LOST,
    expect: { to: "succeeded", effects: ["record_submission", ...SETTLED] },
  },
  {
    state: "unknown",
    event: "status_result",
    ctx: LOST,
    with: status("completed", facts({ amount: 45 })),
    expect: { to: "needs_review", effects: REVIEW },
    why: "other amount",
  },
  {
    state: "unknown",
    event: "status_result",
    ctx: LOST,
    with: status("failed", failure()),
    expect: { to: "failed", effects: FAILED },
  },
  {
    state: "unknown",
    event: "status_result",
    ctx: LOST,
    with: status("not_found"),
    expect: { to: "queued", effects: ["forget_submit_start"] },
    why: "payout: resend with the same id, as a first send",
  },
  {
    state: "unknown",
    event: "status_result",
    ctx: REFUND_LOST,
    with: status("not_found"),
    expect: { to: "needs_review", effects: ["record_failure"] },
    why: "a reversal is never resent by itself",
  },
  {
    state: "unknown",
    event: "status_result",
    ctx: LOST,
    with: status("pending"),
    expect: { to: "unknown", effects: ["schedule_check"] },
  },
  {
    state: "unknown",
    event: "deadline_passed",
    ctx: LOST,
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  { state: "unknown", event: "admin_retry", ctx: LOST, expect: "rejected" },
  { state: "unknown", event: "admin_resolve", ctx: LOST, expect: "rejected" },
  // succeeded
  { state: "succeeded", event: "approved", ctx: DONE, expect: "rejected" },
  { state: "succeeded", event: "submit_accepted", ctx: DONE, expect: DUP("succeeded") },
  {
    state: "succeeded",
    event: "submit_accepted",
    ctx: DONE,
    with: { type: "submit_accepted", conversationId: "AG_other", originatorConversationId: "x" },
    expect: "rejected",
  },
  { state: "succeeded", event: "submit_refused", ctx: DONE, expect: "rejected" },
  { state: "succeeded", event: "submit_outcome_unknown", ctx: DONE, expect: "rejected" },
  {
    state: "succeeded",
    event: "insufficient_funds",
    ctx: DONE,
    expect: { to: "succeeded", effects: ["record_contradiction"] },
  },
  { state: "succeeded", event: "result_success", ctx: DONE, expect: DUP("succeeded") },
  {
    state: "succeeded",
    event: "result_success",
    ctx: DONE,
    with: { type: "result_success", facts: facts({ receipt: "SG000OTHER" }) },
    expect: { to: "succeeded", effects: ["record_contradiction"] },
    why: "other receipt",
  },
  {
    state: "succeeded",
    event: "result_failure",
    ctx: DONE,
    expect: { to: "succeeded", effects: ["record_contradiction"] },
  },
  { state: "succeeded", event: "already_reversed", ctx: DONE, expect: "rejected", why: "a payout" },
  {
    state: "succeeded",
    event: "already_reversed",
    ctx: { ...REFUND, receipt: "SG632NMUAB" },
    with: {
      type: "already_reversed",
      facts: facts({ resultCode: "R000001", originatorConversationId: null, amount: null, recipient: null }),
    },
    expect: DUP("succeeded"),
  },
  { state: "succeeded", event: "queue_timeout", ctx: DONE, expect: DUP("succeeded") },
  { state: "succeeded", event: "result_overdue", ctx: DONE, expect: DUP("succeeded") },
  { state: "succeeded", event: "status_result", ctx: DONE, expect: DUP("succeeded") },
  {
    state: "succeeded",
    event: "status_result",
    ctx: DONE,
    with: status("failed", failure()),
    expect: { to: "succeeded", effects: ["record_contradiction"] },
  },
  { state: "succeeded", event: "deadline_passed", ctx: DONE, expect: "rejected" },
  { state: "succeeded", event: "admin_retry", ctx: DONE, expect: "rejected" },
  { state: "succeeded", event: "admin_resolve", ctx: DONE, expect: "rejected" },
  // failed
  { state: "failed", event: "approved", expect: "rejected" },
  { state: "failed", event: "submit_accepted", expect: "rejected" },
  { state: "failed", event: "submit_refused", expect: "rejected" },
  { state: "failed", event: "submit_outcome_unknown", expect: "rejected" },
  { state: "failed", event: "insufficient_funds", expect: DUP("failed") },
  {
    state: "failed",
    event: "result_success",
    expect: { to: "needs_review", effects: ["record_failure"] },
    why: "never settle after a failure",
  },
  { state: "failed", event: "result_failure", expect: DUP("failed") },
  { state: "failed", event: "already_reversed", expect: "rejected", why: "a payout" },
  {
    state: "failed",
    event: "already_reversed",
    ctx: REFUND,
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  { state: "failed", event: "queue_timeout", expect: DUP("failed") },
  { state: "failed", event: "result_overdue", expect: DUP("failed") },
  { state: "failed", event: "status_result", expect: { to: "needs_review", effects: ["record_failure"] } },
  { state: "failed", event: "status_result", with: status("failed", failure()), expect: DUP("failed") },
  { state: "failed", event: "deadline_passed", expect: "rejected" },
  {
    state: "failed",
    event: "admin_retry",
    expect: { to: "queued", effects: ["record_decision", "requeue"] },
  },
  {
    state: "failed",
    event: "admin_resolve",
    expect: { to: "succeeded", effects: ["record_decision", "settle"] },
  },
  {
    state: "failed",
    event: "admin_resolve",
    with: { type: "admin_resolve", adminId: "usr_admin", note: "n", outcome: "failed" },
    expect: "rejected",
  },
  // needs_review
  { state: "needs_review", event: "approved", expect: "rejected" },
  { state: "needs_review", event: "submit_accepted", expect: "rejected" },
  { state: "needs_review", event: "submit_refused", expect: "rejected" },
  { state: "needs_review", event: "submit_outcome_unknown", expect: "rejected" },
  { state: "needs_review", event: "insufficient_funds", expect: DUP("needs_review") },
  { state: "needs_review", event: "result_success", expect: DUP("needs_review") },
  { state: "needs_review", event: "result_failure", expect: DUP("needs_review") },
  { state: "needs_review", event: "already_reversed", expect: "rejected", why: "a payout" },
  { state: "needs_review", event: "already_reversed", ctx: REFUND, expect: DUP("needs_review") },
  { state: "needs_review", event: "queue_timeout", expect: DUP("needs_review") },
  { state: "needs_review", event: "result_overdue", expect: DUP("needs_review") },
  { state: "needs_review", event: "status_result", expect: DUP("needs_review") },
  { state: "needs_review", event: "deadline_passed", expect: "rejected" },
  {
    state: "needs_review",
    event: "admin_retry",
    expect: { to: "queued", effects: ["record_decision", "requeue"] },
  },
  {
    state: "needs_review",
    event: "admin_resolve",
    expect: { to: "succeeded", effects: ["record_decision", "settle"] },
  },
  {
    state: "needs_review",
    event: "admin_resolve",
    with: { type: "admin_resolve", adminId: "usr_admin", note: "n", outcome: "failed" },
    expect: { to: "failed", effects: ["record_decision", "record_failure"] },
  },
];

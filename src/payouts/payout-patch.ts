/**
 * Between a payout/refund row and its state machine: the context a transition is computed from,
 * and the row patch a transition writes. Pure functions of the row, the transition and the time.
 */
import type { Updateable } from "kysely";
import { maskMsisdn } from "../daraja/phone.ts";
import type { MoneyOutColumns } from "../db/schema.ts";
import type { Item } from "./payout.repository.ts";
import type { PayoutContext, PayoutEvent, ResultFacts, Transition } from "./state-machine.ts";
import { checkDelayMs, type PayoutTimings } from "./timings.ts";

export function contextFor(item: Item): PayoutContext {
  const row = item.row;
  return {
    kind: item.kind,
    amount: row.amount,
    recipient: row.phone_number,
    approvalRequired: row.approval_required === 1,
    approved: row.approved_at !== null,
    conversationId: row.conversation_id,
    originatorConversationId: row.originator_conversation_id,
    originalReceipt: item.kind === "refund" ? item.row.original_receipt : null,
    receipt: row.receipt,
    failures: row.failures,
  };
}

const IN_FLIGHT = new Set(["submitted", "unknown"]);

export function patchFor(
  row: MoneyOutColumns,
  t: Transition,
  now: Date,
  timings: PayoutTimings,
): Updateable<MoneyOutColumns> {
  const at = now.toISOString();
  const patch: Updateable<MoneyOutColumns> = { status: t.to, updated_at: at };
  // Leaving `queued` for the first time starts the 24 h deadline.
  if (IN_FLIGHT.has(t.to) && row.submitted_at === null) patch.submitted_at = at;
  // Only queued and in-flight items are looked at again; the effects below say when.
  patch.next_check_at = null;
  for (const effect of t.effects) {
    switch (effect.type) {
      case "record_approval":
        patch.approved_by = effect.adminId;
        patch.approved_at = at;
        break;
      case "record_submission":
        patch.conversation_id = effect.conversationId;
        patch.originator_conversation_id = effect.originatorConversationId;
        break;
      case "record_result":
        patch.result_code = effect.resultCode;
        patch.result_desc = effect.resultDesc;
        if (effect.receipt !== null) patch.receipt = effect.receipt;
        break;
      case "record_failure":
        patch.failure_reason = effect.reason;
        break;
      case "count_failure":
        patch.failures = row.failures + 1;
        break;
      case "settle":
        patch.completed_at = at;
        break;
      case "requeue":
        patch.attempt = row.attempt + 1;
        patch.conversation_id = null;
        patch.originator_conversation_id = null;
        patch.submit_started_at = null;
        break;
      case "forget_submit_start":
        patch.submit_started_at = null;
        break;
      case "schedule_check":
        patch.next_check_at = new Date(now.getTime() + checkDelayMs(effect.when, timings)).toISOString();
        break;
      case "alert_insufficient_funds":
      case "record_decision":
      case "record_contradiction":
        break;
      default: {
        const _exhaustive: never = effect;
        return _exhaustive;
      }
    }
  }
  if (t.to === "succeeded") patch.failure_reason = null;
  return patch;
}

// Logs and event rows never hold a full phone number.
function maskedFacts(facts: ResultFacts): ResultFacts {
  return { ...facts, recipient: facts.recipient === null ? null : maskMsisdn(facts.recipient) };
}

/** The event row's data: what the event said (phone numbers masked). */
export function describeEvent(event: PayoutEvent): Record<string, unknown> {
  switch (event.type) {
    case "approved":
      return {};
    case "submit_accepted":
      return {
        conversationId: event.conversationId,
        originatorConversationId: event.originatorConversationId,
      };
    case "submit_refused":
      return { errorCode: event.errorCode, errorMessage: event.errorMessage };
    case "submit_outcome_unknown":
      return event.notFoundBefore ? { reason: event.reason, notFoundBefore: true } : { reason: event.reason };
    case "insufficient_funds":
      return {
        resultCode: event.resultCode,
        resultDesc: event.resultDesc,
        conversationId: event.conversationId,
      };
    case "result_success":
    case "result_failure":
    case "already_reversed":
      return { facts: maskedFacts(event.facts) };
    case "status_result":
      return { finding: event.finding, facts: maskedFacts(event.facts) };
    case "queue_timeout":
    case "result_overdue":
    case "deadline_passed":
      return {};
    case "admin_retry":
      return { note: event.note };
    case "admin_resolve":
      return { note: event.note, outcome: event.outcome };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The admin behind an event, for the event row; null for Daraja and the system. */
export function actorOf(event: PayoutEvent): string | null {
  return event.type === "approved" || event.type === "admin_retry" || event.type === "admin_resolve"
    ? event.adminId
    : null;
}

/**
 * What a transition writes: the row patch (status, open-attempt key, Daraja's facts, the next
 * check) and the event row's data. Pure functions of the row, the transition and the time.
 */
import { maskMsisdn } from "../daraja/phone.ts";
import { parseDarajaTimestamp } from "../daraja/timestamp.ts";
import type { PaymentTransactionUpdate } from "../db/schema.ts";
import type { ApplyRow } from "./payment-facts.repository.ts";
import { type CheckSchedule, isOpen, type PaymentEvent, type Transition } from "./state-machine.ts";
import { nextBackoffCheck, type PaymentTimings } from "./timings.ts";

export function patchFor(row: ApplyRow, t: Transition, now: Date, timings: PaymentTimings) {
  const at = now.toISOString();
  const open = isOpen(t.to);
  const patch: PaymentTransactionUpdate = {
    status: t.to,
    updated_at: at,
    open_fee_key: open ? row.booking_fee_id : null,
  };
  if (!open) patch.next_check_at = null;
  if (t.to === "completed" && row.completed_at === null) patch.completed_at = at;
  // A completed attempt has no failure, whatever was recorded before a late success.
  if (t.to === "completed") patch.failure_reason = null;
  for (const effect of t.effects) {
    switch (effect.type) {
      case "record_checkout":
        patch.merchant_request_id = effect.merchantRequestId;
        patch.checkout_request_id = effect.checkoutRequestId;
        break;
      case "schedule_check":
        patch.next_check_at = scheduledCheck(row, effect.when, now, timings).toISOString();
        break;
      case "record_result":
        patch.result_code = effect.resultCode;
        patch.result_desc = effect.resultDesc;
        break;
      case "record_failure":
        patch.failure_reason = effect.reason;
        break;
      case "record_payment":
        patch.mpesa_receipt_number = effect.facts.receipt ?? row.mpesa_receipt_number;
        patch.paid_amount = effect.amount;
        patch.paid_phone = effect.facts.phone ?? row.paid_phone;
        patch.mpesa_transaction_date =
          transactionDate(effect.facts.transactionDate) ?? row.mpesa_transaction_date;
        break;
      case "credit_escrow":
      case "hold_fee":
      case "credit_suspense":
      case "owe_refund":
      case "release_suspense":
      case "open_review":
        break;
      default: {
        const _exhaustive: never = effect;
        return _exhaustive;
      }
    }
  }
  return patch;
}

function scheduledCheck(row: ApplyRow, when: CheckSchedule, now: Date, timings: PaymentTimings): Date {
  switch (when) {
    case "first_check":
      return new Date(now.getTime() + timings.firstCheckMs);
    case "backoff":
      return nextBackoffCheck(new Date(row.created_at), now, timings);
    case "unconfirmed_push_window":
      return new Date(new Date(row.created_at).getTime() + timings.unconfirmedPushWindowMs);
    default: {
      const _exhaustive: never = when;
      return _exhaustive;
    }
  }
}

function transactionDate(value: string | null): string | null {
  if (value === null) return null;
  return parseDarajaTimestamp(value)?.toISOString() ?? null;
}

/** What an event row keeps: the facts, with the payer's number masked. */
export function describeEvent(event: PaymentEvent): Record<string, unknown> {
  switch (event.type) {
    case "paid":
      return {
        resultCode: event.facts.resultCode,
        resultDesc: event.facts.resultDesc,
        receipt: event.facts.receipt,
        amount: event.facts.amount,
        phone: event.facts.phone === null ? null : maskMsisdn(event.facts.phone),
      };
    case "push_accepted":
    case "ids_adopted":
      return { merchantRequestId: event.merchantRequestId, checkoutRequestId: event.checkoutRequestId };
    case "push_refused":
      return { errorCode: event.errorCode, errorMessage: event.errorMessage };
    case "push_outcome_unknown":
      return { reason: event.reason };
    case "failed":
      return { resultCode: event.resultCode, resultDesc: event.resultDesc, reason: event.reason };
    case "not_final":
      return { resultDesc: event.resultDesc };
    case "unrecognised":
      return { resultCode: event.resultCode, resultDesc: event.resultDesc };
    case "deadline_passed":
    case "push_unconfirmed":
      return {};
    case "admin_resolve":
      // Who decided, and why: payment events have no actor column.
      return { action: event.action, adminId: event.adminId, note: event.note };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

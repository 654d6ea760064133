/**
 * Every webhook event Malipo sends, and what each carries (PURE types and constants). The body of
 * every event is `{id, type, createdAt, data}`; `data` is the object as the API shows it to an
 * admin (phone numbers masked). The list is exhaustive: `WEBHOOK_EVENT_DATA` must name every type.
 */
import type { Booking } from "../bookings/booking.ts";
import {
  ATTEMPT_OUTCOMES,
  type AttemptOutcome,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type DiscrepancyKind,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from "../db/schema.ts";
import type { TransactionView } from "../payments/transaction-view.ts";
import type { PayoutView, RefundView } from "../payouts/payout-view.ts";

export {
  ATTEMPT_OUTCOMES,
  type AttemptOutcome,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type DiscrepancyKind,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
};

export interface DiscrepancyView {
  id: string;
  runId: string;
  kind: DiscrepancyKind;
  /** The M-Pesa receipt on the statement or in our records. */
  receipt: string | null;
  amount: number | null;
  currency: "KES";
  /** What we hold for it: a payment, payout or refund id; null for `missing_here`. */
  recordId: string | null;
  detail: string;
  createdAt: string;
}

/** Event type → the shape of its `data`. */
export interface WebhookEventData {
  "payment.completed": TransactionView;
  "payment.failed": TransactionView;
  "payment.needs_review": TransactionView;
  "booking_fee.held": Booking;
  "booking_fee.released": Booking;
  "booking_fee.refunded": Booking;
  "payout.succeeded": PayoutView;
  "payout.failed": PayoutView;
  "refund.succeeded": RefundView;
  "refund.failed": RefundView;
  "reconciliation.discrepancy": DiscrepancyView;
}

// The data layer owns the list of types; this map must name exactly those (checked both ways).
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : never) : never;
const _everyTypeHasData: SameKeys<WebhookEventData, Record<WebhookEventType, unknown>> = true;
void _everyTypeHasData;

/** What each event means, for the docs and the admin page; one entry per type (checked by the compiler). */
export const WEBHOOK_EVENTS: Readonly<Record<WebhookEventType, string>> = {
  "payment.completed": "A payment attempt was paid the expected amount",
  "payment.failed": "A payment attempt failed (refused, cancelled, unanswered, or never confirmed)",
  "payment.needs_review": "A payment's facts disagree; a person must decide",
  "booking_fee.held": "A booking's fee was paid and is held in escrow; the booking is matching",
  "booking_fee.released":
    "A completed booking's fee left escrow: commission kept, the rest owed to the technician",
  "booking_fee.refunded": "A cancelled booking's held fee is owed back to the customer",
  "payout.succeeded": "A technician's payout (B2C) reached their phone",
  "payout.failed": "A technician's payout failed; the money is still owed",
  "refund.succeeded": "A customer's refund (reversal) succeeded",
  "refund.failed": "A customer's refund failed; the money is still owed",
  "reconciliation.discrepancy": "The M-Pesa statement and our books disagree about one line",
};

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENTS, value);
}

/** The body of every webhook request. */
export interface WebhookEventBody<T extends WebhookEventType = WebhookEventType> {
  id: string;
  type: T;
  createdAt: string;
  data: WebhookEventData[T];
}

/**
 * An example `data` for every event type: what "send test event" sends, and what docs/webhooks.md
 * shows (a unit test keeps the two equal). Ids start with `test_` so no receiver mistakes one for a
 * real payment. Built from the same view types as real events, so the compiler keeps them in shape.
 */
import type { Booking } from "../bookings/booking.ts";
import type { TransactionView } from "../payments/transaction-view.ts";
import type { PayoutView, RefundView } from "../payouts/payout-view.ts";
import type { WebhookEventData, WebhookEventType } from "./catalogue.ts";

const AT = "2026-01-15T09:00:00.000Z";
const PAID_AT = "2026-01-15T09:00:41.000Z";
const BOOKING = "test_bkg_01kf2m8q3v";

function transaction(status: TransactionView["status"]): TransactionView {
  const completed = status === "completed" || status === "needs_review";
  return {
    id: "test_pay_01kf2m9a7c",
    bookingId: BOOKING,
    status,
    amount: 500,
    currency: "KES",
    phoneNumber: "2547****4149",
    mpesaReceiptNumber: completed ? "UAF1B2C3D4" : null,
    resultCode: status === "failed" ? "1032" : "0",
    resultDesc:
      status === "failed" ? "Request cancelled by user" : "The service request is processed successfully.",
    failureReason: status === "failed" ? "You cancelled the payment." : null,
    createdAt: AT,
    completedAt: completed ? PAID_AT : null,
  };
}

function payout(status: PayoutView["status"]): PayoutView {
  const ok = status === "succeeded";
  return {
    id: "test_pyt_01kf2n4w2d",
    bookingId: BOOKING,
    phoneNumber: "2547****0001",
    amount: 450,
    currency: "KES",
    status,
    conversationId: "AG_20260115_0000123456789",
    receipt: ok ? "UAG5H6J7K8" : null,
    resultCode: ok ? "0" : "2001",
    resultDesc: ok
      ? "The service request is processed successfully."
      : "The initiator information is invalid.",
    failureReason: ok ? null : "M-Pesa result 2001: The initiator information is invalid.",
    createdAt: AT,
    completedAt: ok ? PAID_AT : null,
    technicianId: "test_usr_01kf2k7t9e",
    awaitingApproval: false,
  };
}

function refund(status: RefundView["status"]): RefundView {
  const ok = status === "succeeded";
  return {
    id: "test_rfd_01kf2p0x5g",
    bookingId: BOOKING,
    phoneNumber: "2547****4149",
    amount: 500,
    currency: "KES",
    status,
    conversationId: "AG_20260115_0000987654321",
    receipt: ok ? "UAH9K8L7M6" : null,
    resultCode: ok ? "0" : "R000002",
    resultDesc: ok
      ? "The service request is processed successfully."
      : "The OriginalTransactionID is invalid.",
    failureReason: ok ? null : "M-Pesa result R000002: The OriginalTransactionID is invalid.",
    createdAt: AT,
    completedAt: ok ? PAID_AT : null,
    customerId: "test_usr_01kf2k6r8d",
    transactionId: "test_pay_01kf2m9a7c",
    reason: "Changed my mind",
  };
}

function booking(fee: Booking["bookingFee"]["status"]): Booking {
  const status: Booking["status"] =
    fee === "held" ? "matching" : fee === "released" ? "completed" : "cancelled";
  return {
    id: BOOKING,
    service: "Plumbing",
    description: null,
    location: "Kilimani",
    scheduledFor: null,
    status,
    customerId: "test_usr_01kf2k6r8d",
    technicianId: fee === "held" ? null : "test_usr_01kf2k7t9e",
    cancelReason: fee === "refunded" ? "Changed my mind" : null,
    createdAt: AT,
    updatedAt: PAID_AT,
    bookingFee: { amount: 500, currency: "KES", status: fee },
    ...(fee === "released" ? { payout: payout("queued") } : {}),
    ...(fee === "refunded" ? { refund: refund("queued") } : {}),
  };
}

const EXAMPLES: { [K in WebhookEventType]: () => WebhookEventData[K] } = {
  "payment.completed": () => transaction("completed"),
  "payment.failed": () => transaction("failed"),
  "payment.needs_review": () => transaction("needs_review"),
  "booking_fee.held": () => booking("held"),
  "booking_fee.released": () => booking("released"),
  "booking_fee.refunded": () => booking("refunded"),
  "payout.succeeded": () => payout("succeeded"),
  "payout.failed": () => payout("failed"),
  "refund.succeeded": () => refund("succeeded"),
  "refund.failed": () => refund("failed"),
  "reconciliation.discrepancy": () => ({
    id: "test_dsc_01kf3a1b2c",
    runId: "test_rec_01kf3a0z9y",
    kind: "missing_here",
    receipt: "UAK1L2M3N4",
    amount: 500,
    currency: "KES",
    recordId: null,
    detail: "Paid In on the statement with no completed payment here",
    createdAt: AT,
  }),
};

export function exampleData<T extends WebhookEventType>(type: T): WebhookEventData[T] {
  return EXAMPLES[type]();
}

/**
 * Which webhook events a committed-to-be change produces, called from inside the change's own
 * transaction by the modules that make the change (payments, payouts, escrow). Each reads the rows
 * as the transaction now sees them and shapes `data` as the API shows it to an admin.
 */
import { type Booking, toBooking } from "../bookings/booking.ts";
import { findBookingWithFee } from "../bookings/booking-fee.repository.ts";
import type { PaymentTransactionRow, PayoutRow, PayoutStatus, RefundRow } from "../db/schema.ts";
import { toTransactionView } from "../payments/transaction-view.ts";
import { findPayoutOfBooking, findRefundOfBooking } from "../payouts/payout-queries.ts";
import { toPayoutView, toRefundView } from "../payouts/payout-view.ts";
import type { Actor } from "../users/user.ts";
import type { WebhookEventType } from "./catalogue.ts";
import { type Executor, enqueueWebhookEvent } from "./outbox.ts";

/** Webhooks see what an admin sees: every field, phone numbers masked (no account has this id). */
export const WEBHOOK_VIEWER: Actor = { id: "webhooks", role: "admin" };

const PAYMENT_EVENTS: Partial<Record<PaymentTransactionRow["status"], WebhookEventType>> = {
  completed: "payment.completed",
  failed: "payment.failed",
  needs_review: "payment.needs_review",
};

/** A booking with its fee, and its payout or refund once it has one, as `GET /bookings/:id` shows it. */
export async function bookingForWebhook(executor: Executor, bookingId: string): Promise<Booking> {
  const found = await findBookingWithFee(executor, bookingId);
  if (!found) throw new Error(`booking ${bookingId} (or its fee) is missing`);
  const [payout, refund] = await Promise.all([
    findPayoutOfBooking(executor, bookingId),
    findRefundOfBooking(executor, bookingId),
  ]);
  return {
    ...toBooking(found.booking, found.fee),
    ...(payout ? { payout: toPayoutView(payout, WEBHOOK_VIEWER) } : {}),
    ...(refund ? { refund: toRefundView(refund, WEBHOOK_VIEWER) } : {}),
  };
}

/**
 * A payment changed (payment-apply.ts): `payment.completed|failed|needs_review` when it reached that
 * status, and `booking_fee.held` when the change held the booking's fee.
 */
export async function enqueuePaymentWebhooks(
  trx: Executor,
  change: {
    from: PaymentTransactionRow["status"];
    to: PaymentTransactionRow["status"];
    bookingId: string;
    /** The row as the change leaves it (read only if an endpoint wants the event). */
    read: () => Promise<PaymentTransactionRow>;
    effects: readonly { type: string }[];
    at: Date;
  },
): Promise<void> {
  const { at } = change;
  const type = change.from === change.to ? undefined : PAYMENT_EVENTS[change.to];
  if (type)
    await enqueueWebhookEvent(trx, {
      type,
      data: async () => toTransactionView(await change.read(), WEBHOOK_VIEWER),
      at,
    });
  if (change.effects.some((effect) => effect.type === "hold_fee"))
    await enqueueBookingFeeWebhook(trx, { type: "booking_fee.held", bookingId: change.bookingId, at });
}

/** A payout or refund changed (payout-apply.ts): `<kind>.succeeded|failed` when it reached that status. */
export async function enqueuePayoutWebhooks(
  trx: Executor,
  change: {
    from: PayoutStatus;
    item: { kind: "payout"; row: PayoutRow } | { kind: "refund"; row: RefundRow };
    at: Date;
  },
): Promise<void> {
  const { item, at } = change;
  const to = item.row.status;
  if (to === change.from || (to !== "succeeded" && to !== "failed")) return;
  if (item.kind === "payout")
    await enqueueWebhookEvent(trx, {
      type: to === "succeeded" ? "payout.succeeded" : "payout.failed",
      data: toPayoutView(item.row, WEBHOOK_VIEWER),
      at,
    });
  else
    await enqueueWebhookEvent(trx, {
      type: to === "succeeded" ? "refund.succeeded" : "refund.failed",
      data: toRefundView(item.row, WEBHOOK_VIEWER),
      at,
    });
}

/** A booking fee moved (held by a payment, released or refunded by escrow.ts). */
export async function enqueueBookingFeeWebhook(
  trx: Executor,
  change: {
    type: "booking_fee.held" | "booking_fee.released" | "booking_fee.refunded";
    bookingId: string;
    at: Date;
  },
): Promise<void> {
  await enqueueWebhookEvent(trx, {
    type: change.type,
    data: () => bookingForWebhook(trx, change.bookingId),
    at: change.at,
  });
}

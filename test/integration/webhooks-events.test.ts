/**
 * Every money event, on both engines: written in the transaction of its change, once, with `data`
 * exactly as the API shows the object to an admin (the outbox's own rules: webhooks-outbox).
 */

import { beforeAll, describe, expect, it } from "vitest";
import { applyPaymentEvent } from "../../src/payments/payment-apply.ts";
import type { ItemRef } from "../../src/payouts/payout.repository.ts";
import { originatorConversationIdFor } from "../../src/payouts/submission-policy.ts";
import type { WebhookEventBody } from "../../src/webhooks/catalogue.ts";
import { bearer, createAdmin, type RegisteredUser } from "../support/app.ts";
import { cancelledBooking, completedBooking, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { hearEveryEvent, outboxEvents } from "../support/webhooks.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});
// The outbox writes only events some endpoint wants: this one wants them all.
beforeAll(async () => {
  await hearEveryEvent(s.t);
});

let admin: RegisteredUser;
const db = () => s.t.db.db;
const get = async (url: string) => {
  admin ??= await createAdmin(s.t);
  const res = await s.t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: bearer(admin.token) });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

/** The ids in the outbox now. */
const mark = async () => new Set((await outboxEvents(db())).map((e) => e.id));

/**
 * The events written since `before`, as their bodies, ordered by type: one transaction's events
 * share a timestamp, and no order among them is promised.
 */
async function eventsSince(before: Set<string>): Promise<WebhookEventBody[]> {
  return (await outboxEvents(db()))
    .filter((e) => !before.has(e.id))
    .map((e) => JSON.parse(e.payload) as WebhookEventBody)
    .sort((a, b) => a.type.localeCompare(b.type));
}

/** What an admin reads of a booking, as the booking_fee events carry it (lists leave out payments). */
async function adminBooking(bookingId: string) {
  const { payments: _payments, ...booking } = (await get(`/bookings/${bookingId}`)).data.booking;
  return booking;
}

let conversation = 0;
async function submitted(ref: ItemRef) {
  conversation += 1;
  const ids = {
    conversationId: `AG_20260115_w${String(conversation).padStart(6, "0")}`,
    originatorConversationId:
      ref.kind === "payout" ? originatorConversationIdFor(ref.id, 1) : `10571-w${conversation}-1`,
  };
  await s.t.services.payouts.applyEvent(ref, { type: "submit_accepted", ...ids }, "submit");
  return ids;
}

describe("payments", () => {
  it("a paid fee writes payment.completed and booking_fee.held, shaped as an admin reads them", async () => {
    const from = await mark();
    const c = await paidBooking(s);
    const events = await eventsSince(from);
    expect(events.map((e) => e.type)).toEqual(["booking_fee.held", "payment.completed"]);
    const status = await get(`/payments/mpesa/status/${c.transactionId}`);
    expect(events[1]?.data).toEqual(status.transaction);
    expect(events[0]?.data).toEqual(await adminBooking(c.bookingId));
    expect(events[0]?.data).toMatchObject({ status: "matching", bookingFee: { status: "held" } });
    for (const event of events) {
      expect(event.id).toMatch(/^evt_[0-9a-z]{26}$/);
      expect(Object.keys(event)).toEqual(["id", "type", "createdAt", "data"]);
    }
    expect(events.map((e) => e.createdAt)).toEqual([
      s.clock.now().toISOString(),
      s.clock.now().toISOString(),
    ]);
  });

  it("a refused push writes payment.failed; a payment past its deadline payment.needs_review", async () => {
    const c = await s.customer();
    const from = await mark();
    await s.stkPush(c.token, pushBody(c.bookingId, "254700001001"));
    const failed = await eventsSince(from);
    expect(failed.map((e) => e.type)).toEqual(["payment.failed"]);
    expect(failed[0]?.data).toMatchObject({
      bookingId: c.bookingId,
      status: "failed",
      phoneNumber: "2547****1001",
    });
    const failedId = (failed[0]?.data as { id: string } | undefined)?.id;
    expect(failed[0]?.data).toEqual((await get(`/payments/mpesa/status/${failedId}`)).transaction);

    // Paid, but the callback never comes: still pending when the 24 h deadline passes.
    const d = await s.customer();
    const push = await s.stkPush(d.token, pushBody(d.bookingId, "254700009001"));
    const id = push.json().data.transactionId as string;
    const before = await mark();
    await applyPaymentEvent(s.t.services.payments.context, id, { type: "deadline_passed" }, "reconciler");
    const review = await eventsSince(before);
    expect(review.map((e) => e.type)).toEqual(["payment.needs_review"]);
    expect(review[0]?.data).toEqual((await get(`/payments/mpesa/status/${id}`)).transaction);
  });

  it("a result repeated or refused writes nothing more", async () => {
    const c = await paidBooking(s);
    const from = await mark();
    const row = await s.row(c.transactionId);
    await applyPaymentEvent(
      s.t.services.payments.context,
      c.transactionId,
      { type: "deadline_passed" },
      "reconciler",
    );
    expect(await eventsSince(from)).toEqual([]);
    expect((await s.row(c.transactionId)).status).toBe(row.status);
  });
});

describe("money out", () => {
  it("completion writes booking_fee.released; the payout's success payout.succeeded", async () => {
    const from = await mark();
    const { c, tech, payoutId } = await completedBooking(s);
    const released = (await eventsSince(from)).filter((e) => e.type.startsWith("booking_fee.released"));
    expect(released).toHaveLength(1);
    expect(released[0]?.data).toEqual(await adminBooking(c.bookingId));
    expect(released[0]?.data).toMatchObject({
      status: "completed",
      payout: { id: payoutId, status: "queued" },
    });

    const ref: ItemRef = { kind: "payout", id: payoutId };
    const ids = await submitted(ref);
    const before = await mark();
    const facts = {
      resultCode: "0",
      resultDesc: "The service request is processed successfully.",
      ...ids,
      receipt: `SGW${String(conversation).padStart(7, "0")}`,
      amount: 450,
      recipient: tech.user.phoneNumber,
      originalReceipt: null,
    };
    await s.t.services.payouts.applyEvent(ref, { type: "result_success", facts }, "result");
    await s.t.services.payouts.applyEvent(ref, { type: "result_success", facts }, "result");
    const paid = await eventsSince(before);
    expect(paid.map((e) => e.type)).toEqual(["payout.succeeded"]);
    expect(paid[0]?.data).toEqual((await get(`/payouts/${payoutId}`)).data.payout);
  });

  it("a refused payout writes payout.failed; a cancelled booking booking_fee.refunded, then refund.failed or refund.succeeded", async () => {
    const { payoutId } = await completedBooking(s);
    let from = await mark();
    const refusal = {
      type: "submit_refused" as const,
      errorCode: "401.002.01",
      errorMessage: "Invalid initiator",
    };
    await s.t.services.payouts.applyEvent({ kind: "payout", id: payoutId }, refusal, "submit");
    let events = await eventsSince(from);
    expect(events.map((e) => e.type)).toEqual(["payout.failed"]);
    expect(events[0]?.data).toEqual((await get(`/payouts/${payoutId}`)).data.payout);

    from = await mark();
    const { c, refundId } = await cancelledBooking(s);
    events = (await eventsSince(from)).filter((e) => e.type === "booking_fee.refunded");
    expect(events[0]?.data).toEqual(await adminBooking(c.bookingId));
    expect(events[0]?.data).toMatchObject({ status: "cancelled", refund: { id: refundId } });

    from = await mark();
    await s.t.services.payouts.applyEvent({ kind: "refund", id: refundId }, refusal, "submit");
    events = await eventsSince(from);
    expect(events.map((e) => e.type)).toEqual(["refund.failed"]);
    expect(events[0]?.data).toEqual((await get(`/refunds/${refundId}`)).data.refund);

    const other = await cancelledBooking(s);
    const ref: ItemRef = { kind: "refund", id: other.refundId };
    const ids = await submitted(ref);
    from = await mark();
    const originalReceipt = (await s.row(other.c.transactionId)).mpesa_receipt_number;
    await s.t.services.payouts.applyEvent(
      ref,
      {
        type: "result_success",
        facts: {
          resultCode: "0",
          resultDesc: "The service request is processed successfully.",
          ...ids,
          receipt: `RVW${String(conversation).padStart(7, "0")}`,
          amount: 500,
          recipient: null,
          originalReceipt,
        },
      },
      "result",
    );
    events = await eventsSince(from);
    expect(events.map((e) => e.type)).toEqual(["refund.succeeded"]);
    expect(events[0]?.data).toEqual((await get(`/refunds/${other.refundId}`)).data.refund);
  });
});

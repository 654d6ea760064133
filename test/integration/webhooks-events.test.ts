/**
 * The outbox on both engines: every money event is written in the transaction of its change, with
 * `data` exactly as the API shows the object to an admin, and queued for each enabled endpoint that
 * wants its type; a change that rolls back writes no event and queues nothing.
 */

import { describe, expect, it } from "vitest";
import { releaseHeldFee } from "../../src/escrow/escrow.ts";
import { applyPaymentEvent } from "../../src/payments/payment-apply.ts";
import type { ItemRef } from "../../src/payouts/payout.repository.ts";
import { originatorConversationIdFor } from "../../src/payouts/submission-policy.ts";
import type { WebhookEventBody } from "../../src/webhooks/catalogue.ts";
import { enqueueWebhookEvent } from "../../src/webhooks/outbox.ts";
import { bearer, createAdmin, type RegisteredUser } from "../support/app.ts";
import { cancelledBooking, completedBooking, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { addEndpoint, deliveriesOf, outboxEvents } from "../support/webhooks.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
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

describe("the outbox and its transaction", () => {
  it("queues a delivery for each enabled endpoint that wants the type, and none for the others", async () => {
    admin ??= await createAdmin(s.t);
    const all = await addEndpoint(s.t, admin.token, { url: "http://127.0.0.1:9/all" });
    const payouts = await addEndpoint(s.t, admin.token, {
      url: "http://127.0.0.1:9/p",
      eventTypes: ["payout.succeeded"],
    });
    const off = await addEndpoint(s.t, admin.token, { url: "http://127.0.0.1:9/off", enabled: false });
    const from = await mark();
    await paidBooking(s);
    const events = await eventsSince(from);
    const forAll = await deliveriesOf(db(), all.endpoint.id);
    const queued = forAll.filter((d) => events.some((e) => e.id === d.event_id));
    expect(queued.map((d) => [d.event_type, d.status, d.attempts]).sort()).toEqual(
      events.map((e) => [e.type, "pending", 0]),
    );
    expect(forAll).toHaveLength(2);
    expect(await deliveriesOf(db(), payouts.endpoint.id)).toEqual([]);
    expect(await deliveriesOf(db(), off.endpoint.id)).toEqual([]);
    for (const e of [all, payouts, off])
      await s.t.services.webhooks.deleteEndpoint({ id: admin.user.id, role: "admin" }, e.endpoint.id);
  });

  it("writes nothing when the change rolls back: no event, no delivery", async () => {
    admin ??= await createAdmin(s.t);
    const endpoint = await addEndpoint(s.t, admin.token, { url: "http://127.0.0.1:9/rollback" });
    const c = await paidBooking(s);
    const from = await mark();
    const found = await db()
      .kysely.selectFrom("booking_fees")
      .selectAll()
      .where("booking_id", "=", c.bookingId)
      .executeTakeFirstOrThrow();
    const booking = await db()
      .kysely.selectFrom("bookings")
      .selectAll()
      .where("id", "=", c.bookingId)
      .executeTakeFirstOrThrow();
    await expect(
      db()
        .kysely.transaction()
        .execute(async (trx) => {
          await releaseHeldFee(trx, {
            booking,
            fee: found,
            technician: { id: c.userId, phoneNumber: "254708374149" },
            commissionPercent: 10,
            approvalRequired: false,
            at: s.clock.now(),
          });
          await enqueueWebhookEvent(trx, {
            type: "reconciliation.discrepancy",
            data: {
              id: "dsc_1",
              runId: "rec_1",
              kind: "missing_here",
              receipt: "UAF0000001",
              amount: 500,
              currency: "KES",
              recordId: null,
              detail: "rolled back",
              createdAt: s.clock.now().toISOString(),
            },
            at: s.clock.now(),
          });
          expect((await trx.selectFrom("webhook_events").select("id").execute()).length).toBe(from.size + 2);
          throw new Error("the change fails after its events were written");
        }),
    ).rejects.toThrow(/the change fails/);
    expect(await mark()).toEqual(from);
    const queued = await deliveriesOf(db(), endpoint.endpoint.id);
    expect(queued.map((d) => d.event_type).sort()).toEqual(["booking_fee.held", "payment.completed"]);
    expect((await s.fee(c.bookingId)).status).toBe("held");
    await s.t.services.webhooks.deleteEndpoint({ id: admin.user.id, role: "admin" }, endpoint.endpoint.id);
  });
});

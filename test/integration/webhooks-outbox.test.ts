/**
 * The outbox and its transaction, on both engines: an event is queued for each enabled endpoint that
 * wants its type and for no other; a change that rolls back writes no event and queues nothing.
 */
import { describe, expect, it } from "vitest";
import { releaseHeldFee } from "../../src/escrow/escrow.ts";
import type { WebhookEventBody } from "../../src/webhooks/catalogue.ts";
import { enqueueWebhookEvent } from "../../src/webhooks/outbox.ts";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
import { paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { addEndpoint, deliveriesOf, outboxEvents } from "../support/webhooks.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

let admin: RegisteredUser;
const db = () => s.t.db.db;

/** The ids in the outbox now. */
const mark = async () => new Set((await outboxEvents(db())).map((e) => e.id));

/** The events written since `before`, ordered by type (one transaction's events share a timestamp). */
async function eventsSince(before: Set<string>): Promise<WebhookEventBody[]> {
  return (await outboxEvents(db()))
    .filter((e) => !before.has(e.id))
    .map((e) => JSON.parse(e.payload) as WebhookEventBody)
    .sort((a, b) => a.type.localeCompare(b.type));
}

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

describe("an event no endpoint wants", () => {
  it("is not written, and its data is not even read", async () => {
    const before = await mark();
    const enqueued = await db()
      .kysely.transaction()
      .execute((trx) =>
        enqueueWebhookEvent(trx, {
          type: "refund.failed",
          data: async () => {
            throw new Error("read although no endpoint wants refund.failed");
          },
          at: s.clock.now(),
        }),
      );
    expect(enqueued.deliveries).toBe(0);
    expect(await eventsSince(before)).toEqual([]);
  });
});

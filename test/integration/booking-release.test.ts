/**
 * Completing a booking releases its held fee (commission kept, the rest owed to the technician and
 * a payout queued), in the booking's own transaction; refusals to complete change nothing. Real
 * HTTP server, fees paid through the emulator, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { type LifeRoutes, lifeRoutes, paidBooking, snapshot, technician } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
let r: LifeRoutes;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  r = lifeRoutes(stack);
});

async function assigned() {
  const c = await paidBooking(s);
  const tech = await technician(s);
  expect((await r.accept(tech, c.bookingId)).statusCode).toBe(200);
  // Events of one instant have no order: let the next step happen later.
  s.clock.advance(1_000);
  return { c, tech };
}

describe("completing a booking releases its fee", () => {
  it("splits KES 500 into 50 commission and 450 owed to the technician, and queues their payout", async () => {
    const { c, tech } = await assigned();
    const before = await accountBalances(s.t.db.db.kysely);
    const res = await r.complete(tech, c.bookingId);
    expect(res.statusCode).toBe(200);
    const booking = res.json().data.booking;
    expect(booking).toMatchObject({ status: "completed", bookingFee: { amount: 500, status: "released" } });
    expect(booking.payout).toEqual({
      id: expect.stringMatching(/^pyt_/),
      bookingId: c.bookingId,
      technicianId: tech.user.id,
      phoneNumber: tech.user.phoneNumber,
      amount: 450,
      currency: "KES",
      status: "queued",
      awaitingApproval: false,
      conversationId: null,
      receipt: null,
      resultCode: null,
      resultDesc: null,
      failureReason: null,
      createdAt: expect.any(String),
      completedAt: null,
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      escrow: after.booking_fee_escrow - before.booking_fee_escrow,
      revenue: after.platform_revenue - before.platform_revenue,
      owed: after.technician_payable - before.technician_payable,
      clearing: after.mpesa_clearing - before.mpesa_clearing,
    }).toEqual({ escrow: 500, revenue: -50, owed: -450, clearing: 0 });
    const transfers = await s.t.db.db.kysely
      .selectFrom("ledger_transfers")
      .select(["transfer_key", "kind", "amount"])
      .where("booking_fee_id", "=", (await s.fee(c.bookingId)).id)
      .orderBy("kind")
      .execute();
    expect(transfers.map((t) => [t.kind, t.amount])).toEqual([
      ["fee_commission", 50],
      ["fee_paid", 500],
      ["fee_released", 450],
    ]);
    const snap = await snapshot(s, c.bookingId);
    expect(snap.bookingEvents.map((e) => e.type)).toEqual(["accepted", "completed"]);
    expect(JSON.parse(snap.bookingEvents[1]?.data ?? "{}")).toEqual({
      commission: 50,
      technicianShare: 450,
      payoutId: booking.payout.id,
    });
    const payoutEvents = await s.t.db.db.kysely
      .selectFrom("payout_events")
      .select(["type", "from_status", "to_status"])
      .where("item_id", "=", booking.payout.id)
      .execute();
    expect(payoutEvents).toEqual([{ type: "created", from_status: null, to_status: "queued" }]);
    // The technician sees it among their payouts; the customer sees it on the booking, number masked.
    const mine = (await r.get(tech, "/payouts")).json();
    expect(mine.payouts.map((p: { id: string }) => p.id)).toEqual([booking.payout.id]);
    const seenByCustomer = await r.booking(c.token, c.bookingId);
    expect(seenByCustomer.payout?.phoneNumber).toMatch(/^2547\*{4}\d{4}$/);
    expect(seenByCustomer.refund).toBeUndefined();
  });

  it("an admin may complete an assigned booking too", async () => {
    const { c, tech } = await assigned();
    admin ??= await createAdmin(s.t);
    const res = await r.complete(admin, c.bookingId);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.booking.payout).toMatchObject({ technicianId: tech.user.id, amount: 450 });
    expect((await snapshot(s, c.bookingId)).bookingEvents[1]).toMatchObject({ actor_id: admin.user.id });
  });

  it("refuses, changing nothing: not assigned, someone else's, twice, wrong role", async () => {
    const open = await paidBooking(s);
    const { c, tech } = await assigned();
    const other = await technician(s);
    admin ??= await createAdmin(s.t);
    const before = await snapshot(s, c.bookingId);
    const openBefore = await snapshot(s, open.bookingId);
    // A matching booking: visible to technicians, but nobody's job yet.
    expectError(await r.complete(tech, open.bookingId), 409, "BOOKING_NOT_COMPLETABLE");
    expectError(await r.complete(admin, open.bookingId), 409, "BOOKING_NOT_COMPLETABLE");
    // Another technician's job is not theirs to see.
    expectError(await r.complete(other, c.bookingId), 404, "BOOKING_NOT_FOUND");
    expectError(await r.complete(c.token, c.bookingId), 403, "FORBIDDEN");
    expectError(await r.complete(tech, "bkg_nope"), 404, "BOOKING_NOT_FOUND");
    expect(await snapshot(s, c.bookingId)).toEqual(before);
    expect(await snapshot(s, open.bookingId)).toEqual(openBefore);

    expect((await r.complete(tech, c.bookingId)).statusCode).toBe(200);
    const done = await snapshot(s, c.bookingId);
    for (const who of [tech, admin]) {
      const error = expectError(await r.complete(who, c.bookingId), 409, "BOOKING_NOT_COMPLETABLE");
      expect(error.details).toEqual({ status: "completed" });
    }
    expect(await snapshot(s, c.bookingId)).toEqual(done);
  });

  it("two completions racing release the fee once", async () => {
    const { c, tech } = await assigned();
    admin ??= await createAdmin(s.t);
    const answers = await Promise.all([
      r.complete(tech, c.bookingId),
      r.complete(admin, c.bookingId),
      r.complete(tech, c.bookingId),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409, 409]);
    const snap = await snapshot(s, c.bookingId);
    expect(snap.payouts).toHaveLength(1);
    expect(snap.bookingEvents.filter((e) => e.type === "completed")).toHaveLength(1);
  });
});

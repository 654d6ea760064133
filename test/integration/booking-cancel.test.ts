/**
 * Cancelling a booking: a held fee is refunded (escrow → refunds owed, a refund queued that
 * reverses the payment's receipt) in the booking's own transaction; a payment still in flight stops
 * being payable, and its late success becomes money owed back. Refusals change nothing. Real HTTP
 * server, fees paid through the emulator, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { findBookingWithFee, markFeeHeld } from "../../src/bookings/booking-fee.repository.ts";
import { queueOverpaymentRefund, queueOwedRefunds } from "../../src/escrow/escrow.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { assertBooksBalanced } from "../support/books.ts";
import { type LifeRoutes, lifeRoutes, paidBooking, snapshot, technician } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
let r: LifeRoutes;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  r = lifeRoutes(stack);
});

const anAdmin = async () => {
  admin ??= await createAdmin(s.t);
  return admin;
};

describe("cancelling a booking", () => {
  it("a customer cancels a matching booking: the held fee is owed back and a refund of the payment is queued", async () => {
    const c = await paidBooking(s);
    const payment = await s.row(c.transactionId);
    const before = await accountBalances(s.t.db.db.kysely);
    const res = await r.cancel(c.token, c.bookingId, "  Found someone closer  ");
    expect(res.statusCode).toBe(200);
    const booking = res.json().data.booking;
    expect(booking).toMatchObject({
      status: "cancelled",
      cancelReason: "Found someone closer",
      bookingFee: { status: "refunded" },
    });
    expect(booking.refund).toEqual({
      id: expect.stringMatching(/^rfd_/),
      bookingId: c.bookingId,
      customerId: c.userId,
      transactionId: c.transactionId,
      phoneNumber: "254708374149",
      amount: 500,
      currency: "KES",
      status: "queued",
      reason: "Found someone closer",
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
      owed: after.customer_refunds_payable - before.customer_refunds_payable,
    }).toEqual({ escrow: 500, owed: -500 });
    const snap = await snapshot(s, c.bookingId);
    expect(snap.refunds[0]).toMatchObject({
      original_receipt: payment.mpesa_receipt_number,
      approval_required: 0,
    });
    expect(snap.bookingEvents).toMatchObject([
      { type: "cancelled", actor_id: c.userId, from_status: "matching" },
    ]);
    const mine = (await r.get(c.token, "/refunds")).json();
    expect(mine).toMatchObject({ success: true, count: 1, total: 1 });
    expect(mine.refunds[0].id).toBe(booking.refund.id);
    // The booking is no longer open to technicians.
    expectError(await r.accept(await technician(s), c.bookingId), 409, "BOOKING_NOT_AVAILABLE");
  });

  it("a booking not yet paid for is cancelled with nothing to refund", async () => {
    const c = await s.customer();
    const before = await snapshot(s, c.bookingId);
    const res = await r.cancel(c.token, c.bookingId, "No longer needed");
    expect(res.statusCode).toBe(200);
    expect(res.json().data.booking).toMatchObject({ status: "cancelled", bookingFee: { status: "pending" } });
    expect(res.json().data.booking.refund).toBeUndefined();
    const after = await snapshot(s, c.bookingId);
    expect(after.transfers).toEqual(before.transfers);
    expect(after.refunds).toEqual([]);
    // Nor can it be paid any more.
    expectError(await s.stkPush(c.token, pushBody(c.bookingId, "0708374149")), 409, "BOOKING_NOT_PAYABLE");
  });

  it("an admin cancels an assigned booking: refunded the same way", async () => {
    const c = await paidBooking(s);
    const tech = await technician(s);
    expect((await r.accept(tech, c.bookingId)).statusCode).toBe(200);
    const a = await anAdmin();
    const res = await r.cancel(a, c.bookingId, "Technician unavailable");
    expect(res.statusCode).toBe(200);
    expect(res.json().data.booking).toMatchObject({
      status: "cancelled",
      refund: { status: "queued", amount: 500 },
    });
    // The technician still sees the booking they held, the refund's number masked.
    expect((await r.booking(tech, c.bookingId)).refund?.phoneNumber).toBe("2547****4149");
  });

  it("refuses, changing nothing: customer after assignment, admin after completion, twice, others, bad reasons", async () => {
    const c = await paidBooking(s);
    const tech = await technician(s);
    const stranger = await s.customer();
    const a = await anAdmin();
    const check = async (bookingId: string, tries: Array<() => Promise<void>>) => {
      const before = await snapshot(s, bookingId);
      for (const attempt of tries) await attempt();
      expect(await snapshot(s, bookingId)).toEqual(before);
    };
    await check(c.bookingId, [
      async () => void expectError(await r.cancel(stranger.token, c.bookingId), 404, "BOOKING_NOT_FOUND"),
      async () => void expectError(await r.cancel(tech, c.bookingId), 403, "FORBIDDEN"),
      async () => void expectError(await r.cancel(c.token, "bkg_nope"), 404, "BOOKING_NOT_FOUND"),
      async () => {
        for (const reason of ["", "   ", "x".repeat(501), 42, null, undefined])
          expectError(
            await s.t.app.inject({
              method: "POST",
              url: `/api/v1/bookings/${c.bookingId}/cancel`,
              headers: { authorization: `Bearer ${c.token}` },
              payload: reason === undefined ? {} : { reason },
            }),
            400,
            "VALIDATION_ERROR",
          );
      },
    ]);
    expect((await r.accept(tech, c.bookingId)).statusCode).toBe(200);
    await check(c.bookingId, [
      async () => {
        const error = expectError(await r.cancel(c.token, c.bookingId), 409, "BOOKING_NOT_CANCELLABLE");
        expect(error.details).toEqual({ status: "assigned" });
      },
    ]);
    expect((await r.complete(tech, c.bookingId)).statusCode).toBe(200);
    await check(c.bookingId, [
      async () => void expectError(await r.cancel(a, c.bookingId), 409, "BOOKING_NOT_CANCELLABLE"),
      async () => void expectError(await r.cancel(c.token, c.bookingId), 409, "BOOKING_NOT_CANCELLABLE"),
    ]);
    const gone = await s.customer();
    expect((await r.cancel(gone.token, gone.bookingId)).statusCode).toBe(200);
    await check(gone.bookingId, [
      async () =>
        void expectError(await r.cancel(gone.token, gone.bookingId), 409, "BOOKING_NOT_CANCELLABLE"),
      async () => void expectError(await r.cancel(a, gone.bookingId), 409, "BOOKING_NOT_CANCELLABLE"),
    ]);
  });

  it("cancel racing accept: one wins, and the money follows the winner", async () => {
    const c = await paidBooking(s);
    const tech = await technician(s);
    const [cancelled, accepted] = await Promise.all([
      r.cancel(c.token, c.bookingId),
      r.accept(tech, c.bookingId),
    ]);
    expect([cancelled.statusCode, accepted.statusCode].sort()).toEqual([200, 409]);
    const snap = await snapshot(s, c.bookingId);
    if (cancelled.statusCode === 200) {
      expect(accepted.json().error.code).toBe("BOOKING_NOT_AVAILABLE");
      expect({ booking: snap.booking?.status, fee: snap.fee?.status, refunds: snap.refunds.length }).toEqual({
        booking: "cancelled",
        fee: "refunded",
        refunds: 1,
      });
    } else {
      expect(cancelled.json().error.code).toBe("BOOKING_NOT_CANCELLABLE");
      expect({ booking: snap.booking?.status, fee: snap.fee?.status, refunds: snap.refunds.length }).toEqual({
        booking: "assigned",
        fee: "held",
        refunds: 0,
      });
    }
  });
});

describe("a payment in flight when the booking is cancelled", () => {
  it("stops being payable: its late success is owed back, never held; a refund of it can be queued once", async () => {
    const emulator = s.emulator.emulator;
    const phone = "254722000111";
    emulator.setTimeScale(1); // the prompt waits for us instead of timing out in 0.6 s
    try {
      const c = await s.customer();
      const push = await s.stkPush(c.token, pushBody(c.bookingId, phone));
      expect(push.statusCode).toBe(201);
      const { transactionId, checkoutRequestId } = push.json().data;
      expect((await r.cancel(c.token, c.bookingId, "Too slow")).statusCode).toBe(200);
      const before = await accountBalances(s.t.db.db.kysely);
      emulator.resolve(checkoutRequestId, "pay");
      const tx = await s.waitForStatus(c.token, transactionId, ["needs_review", "completed"]);
      expect(tx).toMatchObject({
        status: "needs_review",
        failureReason: expect.stringMatching(/no longer payable/),
      });
      const after = await accountBalances(s.t.db.db.kysely);
      expect({
        escrow: after.booking_fee_escrow - before.booking_fee_escrow,
        owed: after.customer_refunds_payable - before.customer_refunds_payable,
      }).toEqual({ escrow: 0, owed: -500 });
      const snap = await snapshot(s, c.bookingId);
      expect({ booking: snap.booking?.status, fee: snap.fee?.status }).toEqual({
        booking: "cancelled",
        fee: "pending",
      });
      await assertBooksBalanced(s.t.db.db.kysely);

      const at = s.clock.now();
      const swept = await queueOwedRefunds(s.t.db.db.kysely, { at, limit: 10 });
      expect(swept.map((x) => x.transaction_id)).toEqual([transactionId]);
      expect(await queueOwedRefunds(s.t.db.db.kysely, { at, limit: 10 })).toEqual([]);
      const refund = await queueOverpaymentRefund(s.t.db.db.kysely, { transactionId, at });
      expect(refund?.id).toBe(swept[0]?.id);
      expect(refund).toMatchObject({
        transaction_id: transactionId,
        amount: 500,
        status: "queued",
        phone_number: phone,
      });
      expect(refund?.original_receipt).toBe((await s.row(transactionId)).mpesa_receipt_number);
      const again = await queueOverpaymentRefund(s.t.db.db.kysely, { transactionId, at });
      expect(again?.id).toBe(refund?.id);
      expect((await snapshot(s, c.bookingId)).refunds).toHaveLength(1);
      // A payment that owes nothing back gets no refund.
      const paid = await paidBooking(s);
      expect(
        await queueOverpaymentRefund(s.t.db.db.kysely, { transactionId: paid.transactionId, at }),
      ).toBeNull();
    } finally {
      emulator.setTimeScale(0.01);
    }
  });

  it("a cancellation committed first always wins over the payment: the fee is not held", async () => {
    const c = await s.customer();
    expect((await r.cancel(c.token, c.bookingId)).statusCode).toBe(200);
    const found = await findBookingWithFee(s.t.db.db.kysely, c.bookingId);
    if (!found) throw new Error("no booking");
    expect(
      await markFeeHeld(s.t.db.db.kysely, {
        feeId: found.fee.id,
        bookingId: c.bookingId,
        transactionId: "pay_late",
        at: s.clock.now(),
      }),
    ).toBe(false);
    const after = await findBookingWithFee(s.t.db.db.kysely, c.bookingId);
    expect({
      booking: after?.booking.status,
      fee: after?.fee.status,
      paidBy: after?.fee.paid_transaction_id,
    }).toEqual({
      booking: "cancelled",
      fee: "pending",
      paidBy: null,
    });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  findBookingWithFee,
  markFeeHeld,
  markFeeRefunded,
  markFeeReleased,
} from "../../src/bookings/booking-fee.repository.ts";
import { ManualClock } from "../../src/clock.ts";
import type { PaymentStatus } from "../../src/db/schema.ts";
import { assertLedgerBalanced } from "../../src/ledger/ledger.ts";
import { newPaymentRow } from "../../src/payments/payment.repository.ts";
import {
  bearer,
  createAdmin,
  createBooking,
  expectError,
  type RegisteredUser,
  registerUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { testEngine } from "../support/db.ts";

describe(`bookings (${testEngine()})`, () => {
  let t: TestApp;
  const clock = new ManualClock("2026-01-15T09:00:00.000Z");
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let tech: RegisteredUser;
  let admin: RegisteredUser;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    alice = await registerUser(t.app);
    bob = await registerUser(t.app);
    tech = await registerUser(t.app, { role: "technician" });
    admin = await createAdmin(t);
  });
  afterEach(async () => {
    await assertLedgerBalanced(t.db.db.kysely);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, token: string) => t.app.inject({ method: "GET", url, headers: bearer(token) });
  const post = (payload: unknown, token: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/bookings",
      headers: { ...bearer(token), ...headers },
      payload: payload as object,
    });

  async function seedAttempt(bookingId: string, id: string, status: PaymentStatus, createdAt: string) {
    const found = await findBookingWithFee(t.db.db.kysely, bookingId);
    if (!found) throw new Error("no booking");
    await t.db.db.kysely
      .insertInto("payment_transactions")
      .values({
        ...newPaymentRow({
          id,
          booking_id: bookingId,
          booking_fee_id: found.fee.id,
          user_id: found.booking.customer_id,
          phone_number: "254712345678",
          amount: found.fee.amount,
          currency: "KES",
          status,
          open_fee_key: null,
          failure_reason: status === "failed" ? "cancelled" : null,
          created_at: createdAt,
        }),
        mpesa_receipt_number: status === "completed" ? `RCP${id}` : null,
        result_code: status === "failed" ? "1032" : status === "completed" ? "0" : null,
        result_desc: status === "failed" ? "Request cancelled by user" : null,
        completed_at: status === "completed" ? createdAt : null,
      })
      .execute();
  }

  describe("create", () => {
    it("creates a pending-payment booking with a pending KES 500 fee", async () => {
      clock.advance(1000);
      const res = await post(
        {
          service: "  Plumbing ",
          description: "Leaking sink",
          location: "Kilimani",
          scheduledFor: "2026-02-01T10:00:00+03:00",
        },
        alice.token,
      );
      expect(res.statusCode).toBe(201);
      const booking = res.json().data.booking;
      expect(booking).toEqual({
        id: expect.stringMatching(/^bkg_/),
        service: "Plumbing",
        description: "Leaking sink",
        location: "Kilimani",
        scheduledFor: "2026-02-01T07:00:00.000Z",
        status: "pending_payment",
        customerId: alice.user.id,
        technicianId: null,
        cancelReason: null,
        createdAt: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
        bookingFee: { amount: 500, currency: "KES", status: "pending" },
        payments: [],
      });
      const fee = await t.db.db.kysely
        .selectFrom("booking_fees")
        .selectAll()
        .where("booking_id", "=", booking.id)
        .executeTakeFirstOrThrow();
      expect(fee).toMatchObject({
        amount: 500,
        currency: "KES",
        status: "pending",
        paid_transaction_id: null,
      });
    });

    it("charges the configured booking fee", async () => {
      const other = await startTestApp({ config: { BOOKING_FEE_KES: "750" } });
      try {
        const customer = await registerUser(other.app);
        const booking = await createBooking(other.app, customer.token);
        expect(booking.bookingFee).toEqual({ amount: 750, currency: "KES", status: "pending" });
      } finally {
        await other.close();
      }
    });

    it("lets only customers book", async () => {
      expectError(await post({ service: "Plumbing" }, tech.token), 403, "FORBIDDEN");
      expectError(await post({ service: "Plumbing" }, admin.token), 403, "FORBIDDEN");
      expectError(
        await t.app.inject({ method: "POST", url: "/api/v1/bookings", payload: { service: "x" } }),
        401,
        "UNAUTHORIZED",
      );
    });

    it("refuses bad input with the envelope, never a 500", async () => {
      const bad: unknown[] = [
        {},
        { service: "" },
        { service: "   " },
        { service: "x".repeat(121) },
        { service: 5 },
        { service: ["Plumbing"] },
        { service: "Plumbing", scheduledFor: "next tuesday" },
        { service: "Plumbing", scheduledFor: 1767225600 },
        { service: "Plumbing", description: { text: "hi" } },
        { service: "Plumbing", location: "x".repeat(201) },
        [],
        null,
      ];
      for (const payload of bad) {
        const res = await post(JSON.stringify(payload), alice.token, { "content-type": "application/json" });
        expectError(res, 400, "VALIDATION_ERROR");
      }
      const garbage = await post("{not json", alice.token, { "content-type": "application/json" });
      expectError(garbage, 400, "VALIDATION_ERROR");
      const text = await post("service=Plumbing", alice.token, {
        "content-type": "application/x-www-form-urlencoded",
      });
      expectError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
    });

    it("refuses a huge body over real HTTP with 413", async () => {
      const res = await fetch(`${t.url}/api/v1/bookings`, {
        method: "POST",
        headers: { ...bearer(alice.token), "content-type": "application/json" },
        body: JSON.stringify({ service: "Plumbing", description: "x".repeat(200_000) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ success: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    });

    it("ignores fields the client may not set", async () => {
      const res = await post(
        { service: "Plumbing", status: "completed", customerId: bob.user.id, technicianId: tech.user.id },
        alice.token,
      );
      expect(res.statusCode).toBe(201);
      expect(res.json().data.booking).toMatchObject({
        status: "pending_payment",
        customerId: alice.user.id,
        technicianId: null,
      });
    });
  });

  describe("list and read", () => {
    let carol: RegisteredUser;
    const carolBookings: string[] = [];
    beforeAll(async () => {
      carol = await registerUser(t.app);
      for (let i = 0; i < 5; i++) {
        clock.advance(60_000);
        carolBookings.push((await createBooking(t.app, carol.token, { service: `Service ${i}` })).id);
      }
      await createBooking(t.app, bob.token, { service: "Bob's" });
    });

    it("pages through one's own bookings, newest first", async () => {
      const page1 = (await get("/api/v1/bookings?limit=2", carol.token)).json();
      expect(page1).toMatchObject({ success: true, count: 2, total: 5, page: 1, pages: 3 });
      expect(page1.bookings.map((b: { id: string }) => b.id)).toEqual([carolBookings[4], carolBookings[3]]);
      expect(page1.bookings[0].bookingFee).toEqual({ amount: 500, currency: "KES", status: "pending" });
      const page3 = (await get("/api/v1/bookings?limit=2&page=3", carol.token)).json();
      expect(page3).toMatchObject({ count: 1, total: 5, page: 3, pages: 3 });
      expect(page3.bookings[0].id).toBe(carolBookings[0]);
      const beyond = (await get("/api/v1/bookings?limit=2&page=9", carol.token)).json();
      expect(beyond).toMatchObject({ count: 0, total: 5, page: 9, bookings: [] });
      const all = (await get("/api/v1/bookings", carol.token)).json();
      expect(all).toMatchObject({ count: 5, total: 5, page: 1, pages: 1 });
      expect(all.bookings.every((b: { customerId: string }) => b.customerId === carol.user.id)).toBe(true);
    });

    it("filters by status", async () => {
      const held = carolBookings[1] as string;
      const found = await findBookingWithFee(t.db.db.kysely, held);
      await markFeeHeld(t.db.db.kysely, {
        feeId: found!.fee.id,
        bookingId: held,
        transactionId: "pay_x",
        at: clock.now(),
      });
      const matching = (await get("/api/v1/bookings?status=matching", carol.token)).json();
      expect(matching).toMatchObject({ count: 1, total: 1 });
      expect(matching.bookings[0]).toMatchObject({
        id: held,
        status: "matching",
        bookingFee: { status: "held" },
      });
      const pending = (await get("/api/v1/bookings?status=pending_payment", carol.token)).json();
      expect(pending.total).toBe(4);
    });

    it("refuses bad query parameters", async () => {
      for (const query of ["status=paid", "limit=0", "limit=101", "page=0", "page=abc", "limit=ten"])
        expectError(await get(`/api/v1/bookings?${query}`, carol.token), 400, "VALIDATION_ERROR");
    });

    it("shows a booking to its customer with payment attempts newest first", async () => {
      const id = carolBookings[2] as string;
      await seedAttempt(id, "pay_old", "failed", "2026-01-15T10:00:00.000Z");
      await seedAttempt(id, "pay_new", "pending", "2026-01-15T10:05:00.000Z");
      const res = await get(`/api/v1/bookings/${id}`, carol.token);
      expect(res.statusCode).toBe(200);
      const booking = res.json().data.booking;
      expect(booking.id).toBe(id);
      expect(booking.payments.map((p: { id: string }) => p.id)).toEqual(["pay_new", "pay_old"]);
      expect(booking.payments[1]).toEqual({
        id: "pay_old",
        status: "failed",
        amount: 500,
        currency: "KES",
        phoneNumber: "254712345678",
        mpesaReceiptNumber: null,
        resultCode: "1032",
        resultDesc: "Request cancelled by user",
        failureReason: "cancelled",
        createdAt: "2026-01-15T10:00:00.000Z",
        completedAt: null,
      });
      // Anyone but the customer sees the paying number masked.
      const asAdmin = (await get(`/api/v1/bookings/${id}`, admin.token)).json().data.booking;
      expect(asAdmin.payments[0].phoneNumber).toBe("2547****5678");
    });

    it("answers 404 for another customer's booking and for an unknown id", async () => {
      const id = carolBookings[0] as string;
      const other = expectError(await get(`/api/v1/bookings/${id}`, bob.token), 404, "BOOKING_NOT_FOUND");
      const unknown = expectError(
        await get("/api/v1/bookings/bkg_nope", bob.token),
        404,
        "BOOKING_NOT_FOUND",
      );
      expect(other.message).toBe(unknown.message);
      expectError(await get(`/api/v1/bookings/${id}`, tech.token), 404, "BOOKING_NOT_FOUND");
      expectError(await t.app.inject({ method: "GET", url: `/api/v1/bookings/${id}` }), 401, "UNAUTHORIZED");
    });

    it("lets an admin see and filter everyone's bookings", async () => {
      const all = (await get("/api/v1/bookings?limit=100", admin.token)).json();
      const customers = new Set(all.bookings.map((b: { customerId: string }) => b.customerId));
      expect(customers.has(carol.user.id) && customers.has(bob.user.id)).toBe(true);
      expect(all.total).toBeGreaterThanOrEqual(6);
      const carolsOnly = (await get(`/api/v1/bookings?customerId=${carol.user.id}`, admin.token)).json();
      expect(carolsOnly.total).toBe(5);
      expect((await get(`/api/v1/bookings/${carolBookings[0]}`, admin.token)).statusCode).toBe(200);
      // customerId is an admin filter; a customer still sees only their own.
      const sneaky = (await get(`/api/v1/bookings?customerId=${carol.user.id}`, bob.token)).json();
      expect(sneaky.bookings.every((b: { customerId: string }) => b.customerId === bob.user.id)).toBe(true);
    });

    it("shows a technician the bookings open to take and those assigned to them, nothing else", async () => {
      // carolBookings[1] is matching (its fee was held above): open to every technician.
      const open = carolBookings[1] as string;
      const id = carolBookings[3] as string;
      const before = (await get("/api/v1/bookings", tech.token)).json();
      expect(before.bookings.map((b: { id: string }) => b.id)).toEqual([open]);
      expect((await get(`/api/v1/bookings/${open}`, tech.token)).statusCode).toBe(200);
      await t.db.db.kysely
        .updateTable("bookings")
        .set({ technician_id: tech.user.id })
        .where("id", "=", id)
        .execute();
      const list = (await get("/api/v1/bookings", tech.token)).json();
      expect(list.bookings.map((b: { id: string }) => b.id)).toEqual([id, open]);
      expect((await get(`/api/v1/bookings/${id}`, tech.token)).statusCode).toBe(200);
      // Another technician sees the open one only; a booking not yet paid for stays hidden.
      const other = await registerUser(t.app, { role: "technician" });
      const theirs = (await get("/api/v1/bookings", other.token)).json();
      expect(theirs.bookings.map((b: { id: string }) => b.id)).toEqual([open]);
      expectError(await get(`/api/v1/bookings/${id}`, other.token), 404, "BOOKING_NOT_FOUND");
      expectError(await get(`/api/v1/bookings/${carolBookings[0]}`, other.token), 404, "BOOKING_NOT_FOUND");
    });
  });

  describe("booking fee changes (for the payment service)", () => {
    it("holds a pending fee exactly once and moves the booking to matching", async () => {
      const booking = await createBooking(t.app, alice.token);
      const { fee } = (await findBookingWithFee(t.db.db.kysely, booking.id))!;
      const at = clock.now();
      const [first, second] = await Promise.all([
        markFeeHeld(t.db.db.kysely, { feeId: fee.id, bookingId: booking.id, transactionId: "pay_a", at }),
        markFeeHeld(t.db.db.kysely, { feeId: fee.id, bookingId: booking.id, transactionId: "pay_b", at }),
      ]);
      expect([first, second].sort()).toEqual([false, true]);
      const after = (await findBookingWithFee(t.db.db.kysely, booking.id))!;
      expect(after.fee.status).toBe("held");
      expect(["pay_a", "pay_b"]).toContain(after.fee.paid_transaction_id);
      expect(after.booking.status).toBe("matching");
      expect(await markFeeReleased(t.db.db.kysely, { feeId: fee.id, at })).toBe(true);
      expect(await markFeeRefunded(t.db.db.kysely, { feeId: fee.id, at })).toBe(false);
      expect(
        await markFeeHeld(t.db.db.kysely, {
          feeId: fee.id,
          bookingId: booking.id,
          transactionId: "pay_c",
          at,
        }),
      ).toBe(false);
      expect((await findBookingWithFee(t.db.db.kysely, booking.id))!.fee.status).toBe("released");
    });

    it("refunds only a held fee", async () => {
      const booking = await createBooking(t.app, alice.token);
      const { fee } = (await findBookingWithFee(t.db.db.kysely, booking.id))!;
      const at = clock.now();
      expect(await markFeeRefunded(t.db.db.kysely, { feeId: fee.id, at })).toBe(false);
      expect(
        await markFeeHeld(t.db.db.kysely, {
          feeId: fee.id,
          bookingId: booking.id,
          transactionId: "pay_r",
          at,
        }),
      ).toBe(true);
      expect(await markFeeRefunded(t.db.db.kysely, { feeId: fee.id, at })).toBe(true);
      expect(await markFeeReleased(t.db.db.kysely, { feeId: fee.id, at })).toBe(false);
      expect(await findBookingWithFee(t.db.db.kysely, "bkg_missing")).toBeNull();
    });
  });
});

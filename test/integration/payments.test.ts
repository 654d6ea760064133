/**
 * Booking-fee payments end to end: the real HTTP server, the real Daraja client and the emulator's
 * test numbers (success, too little money, cancel, no answer), idempotency, one prompt per fee,
 * visibility and bad input. The ledger is checked balanced after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { bearer, expectError } from "../support/app.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

describe("STK Push through the emulator", () => {
  it("254708374149 pays: 201, then completed with a receipt; fee held in escrow, booking matching", async () => {
    const c = await s.customer();
    const before = await accountBalances(s.t.db.db.kysely);
    const res = await s.stkPush(c.token, pushBody(c.bookingId, "0708374149", { amount: 500 }));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      success: true,
      message: "STK Push sent successfully. Please enter your M-Pesa PIN on your phone.",
      data: {
        transactionId: expect.stringMatching(/^pay_/),
        checkoutRequestId: expect.stringMatching(/^ws_CO_/),
        customerMessage: expect.any(String),
      },
    });
    const tx = await s.waitForStatus(c.token, body.data.transactionId, ["completed"]);
    expect(tx).toMatchObject({
      id: body.data.transactionId,
      bookingId: c.bookingId,
      status: "completed",
      amount: 500,
      currency: "KES",
      phoneNumber: "254708374149",
      mpesaReceiptNumber: expect.stringMatching(/^[A-Z0-9]{10}$/),
      resultCode: "0",
      completedAt: expect.any(String),
    });
    expect(await s.fee(c.bookingId)).toMatchObject({ status: "held", paid_transaction_id: tx.id });
    const bookingRes = await s.t.app.inject({
      method: "GET",
      url: `/api/v1/bookings/${c.bookingId}`,
      headers: bearer(c.token),
    });
    expect(bookingRes.json().data.booking.status).toBe("matching");
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.booking_fee_escrow - before.booking_fee_escrow).toBe(-500);
    const verdicts = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select(["verdict", "signature_valid"])
      .where("transaction_id", "=", tx.id)
      .execute();
    expect(verdicts).toEqual([{ verdict: "accepted", signature_valid: 1 }]);
    // Paid: asking again is refused without a new prompt.
    expectError(await s.stkPush(c.token, pushBody(c.bookingId, "0708374149")), 409, "ALREADY_PAID");
  });

  it.each([
    ["254711111111", "1", /balance was not enough/],
    ["254700001032", "1032", /cancelled/],
    ["254700002001", "2001", /PIN entered was wrong/],
  ])("%s fails with result %s and frees the fee for another try", async (phone, code, reason) => {
    const c = await s.customer();
    const res = await s.stkPush(c.token, pushBody(c.bookingId, phone));
    expect(res.statusCode).toBe(201);
    const tx = await s.waitForStatus(c.token, res.json().data.transactionId, ["failed"]);
    expect(tx.resultCode).toBe(code);
    expect(tx.failureReason).toMatch(reason);
    expect((await s.fee(c.bookingId)).status).toBe("pending");
    const retry = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    expect(retry.statusCode).toBe(201);
    await s.waitForStatus(c.token, retry.json().data.transactionId, ["completed"]);
  });

  it("254700001037 (no answer) stays pending while the prompt is open, then fails with 1037", async () => {
    s.emulator.emulator.setTimeScale(0.03);
    try {
      const c = await s.customer();
      const res = await s.stkPush(c.token, pushBody(c.bookingId, "254700001037"));
      const id = res.json().data.transactionId;
      expect((await s.status(c.token, id)).json().transaction.status).toBe("pending");
      // The prompt is still open at Daraja: asking again does not send a second one.
      const again = await s.stkPush(c.token, pushBody(c.bookingId, "254700001037"));
      expect(expectError(again, 409, "PAYMENT_IN_PROGRESS").details).toEqual({ transactionId: id });
      const tx = await s.waitForStatus(c.token, id, ["failed"], 10_000);
      expect(tx.resultCode).toBe("1037");
      expect(s.emulator.emulator.sessions.list({ phoneNumber: "254700001037" })).toHaveLength(1);
    } finally {
      s.emulator.emulator.setTimeScale(0.01);
    }
  });

  it("a refused push answers its mapped error and records the failure", async () => {
    const c = await s.customer();
    const spike = expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "254700009004")),
      503,
      "MPESA_UNAVAILABLE",
    );
    expect(spike.message).toMatch(/try again shortly/i);
    const locked = expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "254700001001")),
      409,
      "PAYMENT_IN_PROGRESS",
    );
    expect(locked.message).toMatch(/another M-Pesa request is open on this phone/i);
    expect(locked.details).toEqual({ retryAfterSeconds: 60 });
    const history = await s.t.app.inject({
      method: "GET",
      url: "/api/v1/payments/mpesa/history",
      headers: bearer(c.token),
    });
    expect(history.json()).toMatchObject({ success: true, total: 2, count: 2, page: 1, pages: 1 });
    expect(history.json().transactions.map((t: { status: string }) => t.status)).toEqual([
      "failed",
      "failed",
    ]);
  });
});

describe("metrics", () => {
  it("counts payment statuses, callback verdicts and timed Daraja calls", async () => {
    const c = await s.customer();
    const res = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    await s.waitForStatus(c.token, res.json().data.transactionId, ["completed"]);
    const text = (await s.t.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(/payments_status_total\{status="initiated"\} [1-9]/);
    expect(text).toMatch(/payments_status_total\{status="completed"\} [1-9]/);
    expect(text).toMatch(/mpesa_callbacks_total\{verdict="accepted"\} [1-9]/);
    expect(text).toMatch(/daraja_request_duration_seconds_count\{operation="stk_push",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/daraja_request_duration_seconds_count\{operation="stk_query",outcome="ok"\} [1-9]/);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{route="\/api\/v1\/payments\/mpesa\/stkpush",method="POST",status="201"\} [1-9]/,
    );
  });

  it("counts Daraja refusals and errors by outcome, and rejected callbacks", async () => {
    const c = await s.customer();
    expectError(await s.stkPush(c.token, pushBody(c.bookingId, "254700009004")), 503, "MPESA_UNAVAILABLE");
    s.clock.advance(61_000);
    // A 503 with an unreadable body may hide a created prompt: never resent, it is reconciled.
    const unknown = await s.stkPush(c.token, pushBody(c.bookingId, "254700009005"));
    expect(unknown.statusCode).toBe(201);
    expect(unknown.json().data.checkoutRequestId).toBeNull();
    const forged = await s.postCallback("pay_forged", "{}", "bad-signature");
    expect(forged.status).toBe(403);
    const text = (await s.t.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(
      /daraja_request_duration_seconds_count\{operation="stk_push",outcome="rejected"\} [1-9]/,
    );
    expect(text).toMatch(
      /daraja_request_duration_seconds_count\{operation="stk_push",outcome="error"\} [1-9]/,
    );
    expect(text).toMatch(/mpesa_callbacks_total\{verdict="rejected"\} [1-9]/);
    expect(text).toMatch(/payments_status_total\{status="failed"\} [1-9]/);
  });
});

describe("one prompt per fee", () => {
  it("two concurrent pushes for one fee give one prompt", async () => {
    const c = await s.customer();
    const [a, b] = await Promise.all([
      s.stkPush(c.token, pushBody(c.bookingId, "254708374149")),
      s.stkPush(c.token, pushBody(c.bookingId, "254708374149")),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expectError(loser, 409, "PAYMENT_IN_PROGRESS");
    const winner = a.statusCode === 201 ? a : b;
    await s.waitForStatus(c.token, winner.json().data.transactionId, ["completed"]);
    const sessions = s.emulator.emulator.sessions
      .list()
      .filter((x) => x.checkoutRequestId === winner.json().data.checkoutRequestId);
    expect(sessions).toHaveLength(1);
    const attempts = await s.t.db.db.kysely
      .selectFrom("payment_transactions")
      .select("id")
      .where("booking_id", "=", c.bookingId)
      .execute();
    expect(attempts).toHaveLength(1);
  });

  it("a double click with the same Idempotency-Key sends one push and answers the same", async () => {
    const c = await s.customer();
    const pushesBefore = s.emulator.emulator.requests.list({
      path: "/mpesa/stkpush/v1/processrequest",
    }).length;
    const headers = { "idempotency-key": `click-${c.bookingId}` };
    const [a, b] = await Promise.all([
      s.stkPush(c.token, pushBody(c.bookingId, "0708374149"), headers),
      s.stkPush(c.token, pushBody(c.bookingId, "0708374149"), headers),
    ]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json());
    const pushesAfter = s.emulator.emulator.requests.list({
      path: "/mpesa/stkpush/v1/processrequest",
    }).length;
    expect(pushesAfter - pushesBefore).toBe(1);
    // Later repeats still answer the first answer, even once the fee is paid.
    await s.waitForStatus(c.token, a.json().data.transactionId, ["completed"]);
    const later = await s.stkPush(c.token, pushBody(c.bookingId, "0708374149"), headers);
    expect(later.statusCode).toBe(201);
    expect(later.json()).toEqual(a.json());
    expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "0711111111"), headers),
      422,
      "IDEMPOTENCY_CONFLICT",
    );
  });
});

describe("visibility and bad input", () => {
  it("another user's booking and transaction are invisible (404)", async () => {
    const owner = await s.customer();
    const other = await s.customer();
    expectError(
      await s.stkPush(other.token, pushBody(owner.bookingId, "254708374149")),
      404,
      "BOOKING_NOT_FOUND",
    );
    const res = await s.stkPush(owner.token, pushBody(owner.bookingId, "254708374149"));
    const id = res.json().data.transactionId;
    expectError(await s.status(other.token, id), 404, "TRANSACTION_NOT_FOUND");
    const events = await s.t.app.inject({
      method: "GET",
      url: `/api/v1/payments/mpesa/status/${id}/events`,
      headers: bearer(other.token),
    });
    expectError(events, 404, "TRANSACTION_NOT_FOUND");
    const history = await s.t.app.inject({
      method: "GET",
      url: "/api/v1/payments/mpesa/history",
      headers: bearer(other.token),
    });
    expect(history.json()).toMatchObject({ total: 0, transactions: [] });
    await s.waitForStatus(owner.token, id, ["completed"]);
  });

  it("every bad input answers the error envelope, never a 500", async () => {
    const c = await s.customer();
    const push = (body: unknown, headers: Record<string, string> = {}) =>
      s.t.app.inject({
        method: "POST",
        url: "/api/v1/payments/mpesa/stkpush",
        headers: { ...bearer(c.token), ...headers },
        payload: body as Record<string, unknown>,
      });
    expectError(await push(pushBody(c.bookingId, "12345")), 400, "INVALID_PHONE");
    expectError(await push(pushBody(c.bookingId, "0708374149", { amount: 499 })), 400, "AMOUNT_MISMATCH");
    expectError(await push(pushBody(c.bookingId, "0708374149", { amount: "500" })), 400, "VALIDATION_ERROR");
    expectError(await push(pushBody(c.bookingId, "0708374149", { type: "tip" })), 400, "VALIDATION_ERROR");
    expectError(await push({ bookingId: c.bookingId, type: "booking_fee" }), 400, "VALIDATION_ERROR");
    expectError(await push(pushBody("bkg_nope", "0708374149")), 404, "BOOKING_NOT_FOUND");
    expectError(
      await push(pushBody(c.bookingId, "0708374149"), { "idempotency-key": "k".repeat(256) }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await s.t.app.inject({
        method: "POST",
        url: "/api/v1/payments/mpesa/stkpush",
        headers: { ...bearer(c.token), "content-type": "application/json" },
        payload: "{not json",
      }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await s.t.app.inject({
        method: "POST",
        url: "/api/v1/payments/mpesa/stkpush",
        payload: pushBody(c.bookingId, "0708374149"),
      }),
      401,
      "UNAUTHORIZED",
    );
    expectError(await s.status(c.token, "pay_doesnotexist"), 404, "TRANSACTION_NOT_FOUND");
    for (const query of ["page=0", "limit=1000", "status=paid", "page=abc"]) {
      const res = await s.t.app.inject({
        method: "GET",
        url: `/api/v1/payments/mpesa/history?${query}`,
        headers: bearer(c.token),
      });
      expectError(res, 400, "VALIDATION_ERROR");
    }
    expect(
      (
        await s.t.db.db.kysely
          .selectFrom("payment_transactions")
          .select("id")
          .where("booking_id", "=", c.bookingId)
          .execute()
      ).length,
    ).toBe(0);
  });

  it("limits STK Push requests per user", async () => {
    const c = await s.customer();
    for (let i = 0; i < 10; i++)
      expectError(await s.stkPush(c.token, pushBody(c.bookingId, "123")), 400, "INVALID_PHONE");
    const limited = expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "0708374149")),
      429,
      "RATE_LIMITED",
    );
    expect(limited.details).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    // Someone else is not affected.
    const d = await s.customer();
    expectError(await s.stkPush(d.token, pushBody(d.bookingId, "123")), 400, "INVALID_PHONE");
  });

  it("documents the payment routes in OpenAPI", async () => {
    const doc = (await s.t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    for (const path of [
      "/api/v1/payments/mpesa/stkpush",
      "/api/v1/payments/mpesa/callback",
      "/api/v1/payments/mpesa/status/{transactionId}",
      "/api/v1/payments/mpesa/status/{transactionId}/events",
      "/api/v1/payments/mpesa/history",
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths["/api/v1/payments/mpesa/stkpush"].post.responses["201"]).toBeDefined();
  });

  it("technicians cannot start a payment", async () => {
    const { registerUser } = await import("../support/app.ts");
    const tech = await registerUser(s.t.app, { role: "technician" });
    expectError(await s.stkPush(tech.token, pushBody("bkg_x", "0708374149")), 403, "FORBIDDEN");
  });
});

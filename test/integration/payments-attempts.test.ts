/**
 * Payment attempts over time, end to end against the emulator: asking again while an attempt is open
 * (Daraja is asked first), the per-phone limit, Idempotency-Key answers, and the history pages.
 * The ledger is checked balanced after every test.
 */
import { describe, expect, it } from "vitest";
import { bearer, createAdmin, expectError } from "../support/app.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

describe("asking again while an attempt is open", () => {
  it("checks the open attempt with Daraja first: paid (callback lost) → ALREADY_PAID, no second prompt", async () => {
    const c = await s.customer();
    const res = await s.stkPush(c.token, pushBody(c.bookingId, "254700009001"));
    const { transactionId, checkoutRequestId } = res.json().data;
    await s.emulator.emulator.sessions.waitFor(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    expect((await s.row(transactionId)).status).toBe("pending");
    const again = await s.stkPush(c.token, pushBody(c.bookingId, "254700009001"));
    expectError(again, 409, "ALREADY_PAID");
    expect(await s.row(transactionId)).toMatchObject({ status: "completed", paid_amount: 500 });
    expect((await s.fee(c.bookingId)).status).toBe("held");
    expect(
      s.emulator.emulator.sessions
        .list({ phoneNumber: "254700009001" })
        .filter((x) => x.checkoutRequestId === checkoutRequestId),
    ).toHaveLength(1);
    const queries = s.emulator.emulator.requests
      .list({ path: "/mpesa/stkpushquery/v1/query" })
      .filter((r) => r.checkoutRequestId === checkoutRequestId);
    expect(queries).toHaveLength(1);
  });

  it("checks the open attempt with Daraja first: cancelled (callback lost) → the failure is recorded and a new prompt sent", async () => {
    const c = await s.customer();
    const phone = "254700001032";
    s.emulator.emulator.setFaults({ rates: { callbackLost: 1 } });
    try {
      const res = await s.stkPush(c.token, pushBody(c.bookingId, phone));
      const first = res.json().data;
      await s.emulator.emulator.deliveries.waitFor(
        (d) => d.checkoutRequestId === first.checkoutRequestId && d.status === "suppressed",
      );
    } finally {
      s.emulator.emulator.setFaults({});
    }
    const [firstAttempt] = await s.t.db.db.kysely
      .selectFrom("payment_transactions")
      .selectAll()
      .where("booking_id", "=", c.bookingId)
      .execute();
    expect(firstAttempt?.status).toBe("pending");
    const retry = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    expect(retry.statusCode).toBe(201);
    expect(await s.row(firstAttempt?.id ?? "")).toMatchObject({ status: "failed", result_code: "1032" });
    await s.waitForStatus(c.token, retry.json().data.transactionId, ["completed"]);
  });
});

describe("rate limits", () => {
  it("limits new attempts per phone number and account (counted in the database)", async () => {
    const c = await s.customer();
    // Each push is refused at once (spike arrest), which frees the fee for the next one.
    for (let i = 0; i < 5; i++)
      expectError(await s.stkPush(c.token, pushBody(c.bookingId, "0700009004")), 503, "MPESA_UNAVAILABLE");
    const limited = expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "0700009004")),
      429,
      "RATE_LIMITED",
    );
    expect(limited.details).toEqual({ retryAfterSeconds: 60 });
    // Another customer is not held back by this one's minute: one account cannot lock a phone for
    // everyone (strangers' prompts to a phone are limited per day: payments-abuse.test.ts).
    const d = await s.customer();
    expectError(await s.stkPush(d.token, pushBody(d.bookingId, "254700009004")), 503, "MPESA_UNAVAILABLE");
    const ok = await s.stkPush(d.token, pushBody(d.bookingId, "254708374149"));
    expect(ok.statusCode).toBe(201);
    await s.waitForStatus(d.token, ok.json().data.transactionId, ["completed"]);
    // A minute later the phone may be prompted again.
    s.clock.advance(61_000);
    expectError(await s.stkPush(c.token, pushBody(c.bookingId, "0700009004")), 503, "MPESA_UNAVAILABLE");
  });
});

describe("Idempotency-Key", () => {
  it("replays a refusal with its status and body; keys belong to one user", async () => {
    const c = await s.customer();
    const headers = { "idempotency-key": `refused-${c.bookingId}` };
    const first = await s.stkPush(c.token, pushBody(c.bookingId, "0708374149", { amount: 499 }), headers);
    expectError(first, 400, "AMOUNT_MISMATCH");
    const again = await s.stkPush(c.token, pushBody(c.bookingId, "0708374149", { amount: 499 }), headers);
    expect({ status: again.statusCode, body: again.json() }).toEqual({ status: 400, body: first.json() });
    // The same request with another key is a new request; with this key and another body, a conflict.
    expectError(
      await s.stkPush(c.token, pushBody(c.bookingId, "0708374149"), headers),
      422,
      "IDEMPOTENCY_CONFLICT",
    );
    // Another customer may use the same key for their own request.
    const d = await s.customer();
    const theirs = await s.stkPush(d.token, pushBody(d.bookingId, "0708374149", { amount: 499 }), headers);
    expectError(theirs, 400, "AMOUNT_MISMATCH");
    const paid = await s.stkPush(d.token, pushBody(d.bookingId, "0708374149"), { "idempotency-key": "k1" });
    // (another number: M-Pesa keeps one open prompt per phone)
    const paidAgain = await s.stkPush(c.token, pushBody(c.bookingId, "0700000000"), {
      "idempotency-key": "k1",
    });
    expect(paid.statusCode).toBe(201);
    expect(paidAgain.statusCode).toBe(201);
    expect(paidAgain.json().data.transactionId).not.toBe(paid.json().data.transactionId);
    await s.waitForStatus(d.token, paid.json().data.transactionId, ["completed"]);
    await s.waitForStatus(c.token, paidAgain.json().data.transactionId, ["completed"]);
  });
});

describe("history", () => {
  it("pages through one's own attempts newest first, filters by status; admins see all or one user's", async () => {
    const c = await s.customer();
    const ids: string[] = [];
    // Three refused attempts (each frees the fee), then one that pays.
    for (let i = 0; i < 3; i++) {
      s.clock.advance(61_000);
      expectError(await s.stkPush(c.token, pushBody(c.bookingId, "254700009004")), 503, "MPESA_UNAVAILABLE");
    }
    s.clock.advance(1_000);
    const paid = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    await s.waitForStatus(c.token, paid.json().data.transactionId, ["completed"]);
    const other = await s.customer();
    const theirs = await s.stkPush(other.token, pushBody(other.bookingId, "254711111111"));
    await s.waitForStatus(other.token, theirs.json().data.transactionId, ["failed"]);

    const history = async (query: string, token = c.token) => {
      const res = await s.t.app.inject({
        method: "GET",
        url: `/api/v1/payments/mpesa/history${query}`,
        headers: bearer(token),
      });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const all = await history("");
    expect(all).toMatchObject({ success: true, count: 4, total: 4, page: 1, pages: 1 });
    for (const tx of all.transactions) ids.push(tx.id);
    expect(all.transactions.map((t: { status: string }) => t.status)).toEqual([
      "completed",
      "failed",
      "failed",
      "failed",
    ]);
    expect(all.transactions[0]).toMatchObject({ phoneNumber: "254708374149", currency: "KES", amount: 500 });
    const page2 = await history("?page=2&limit=3");
    expect(page2).toMatchObject({ count: 1, total: 4, page: 2, pages: 2 });
    expect(page2.transactions.map((t: { id: string }) => t.id)).toEqual([ids[3]]);
    expect((await history("?page=3&limit=3")).transactions).toEqual([]);
    const failed = await history("?status=failed&limit=2");
    expect(failed).toMatchObject({ count: 2, total: 3, pages: 2 });
    expect(failed.transactions.every((t: { status: string }) => t.status === "failed")).toBe(true);
    expect((await history("?status=needs_review")).total).toBe(0);

    const admin = await createAdmin(s.t);
    const everyone = await history("?limit=100", admin.token);
    expect(everyone.total).toBeGreaterThanOrEqual(5);
    const one = await history(`?userId=${c.userId}`, admin.token);
    expect(one.transactions.map((t: { id: string }) => t.id)).toEqual(ids);
    // Admins see the number masked; a customer's userId filter is ignored (own only).
    expect(one.transactions[0].phoneNumber).toBe("2547****4149");
    expect((await history(`?userId=${other.userId}`)).total).toBe(4);
  });
});

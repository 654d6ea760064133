/**
 * The queue toward Daraja is bounded: beyond it a push is refused at once (503 MPESA_BUSY with
 * Retry-After, nothing written, the fee free), and a callback is still stored and answered while its
 * confirmation (STK Query) is left to the reconciler, which finishes it once there is room. The
 * client's queue here lets 2 requests go, refills one per 200 s of the test clock and lets none
 * wait.
 */
import { describe, expect, it } from "vitest";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack(
  (stack) => {
    s = stack;
  },
  { env: { MPESA_VERIFY_CALLBACKS: "true" }, darajaRateLimit: { burst: 2, perSecond: 0.005, maxWaitMs: 0 } },
);

describe("a full queue toward Daraja", () => {
  let paying: { token: string; transactionId: string };

  it("a push beyond it answers 503 MPESA_BUSY with Retry-After, and writes nothing", async () => {
    // The access token and this push take the two requests the queue lets go.
    const c = await s.customer();
    const first = await s.stkPush(c.token, pushBody(c.bookingId, "254708374149"));
    expect(first.statusCode).toBe(201);
    paying = { token: c.token, transactionId: first.json().data.transactionId };

    const d = await s.customer();
    const refused = await s.stkPush(d.token, pushBody(d.bookingId, "254708374149"));
    expect(refused.statusCode).toBe(503);
    const body = refused.json();
    expect(body).toMatchObject({ success: false, error: { code: "MPESA_BUSY" } });
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
    const attempts = await s.t.db.db.kysely
      .selectFrom("payment_transactions")
      .select("id")
      .where("booking_id", "=", d.bookingId)
      .execute();
    expect(attempts).toEqual([]);
    expect((await s.fee(d.bookingId)).status).toBe("pending");
    // Only the token and the first push reached Daraja.
    expect(s.emulator.emulator.requests.list({ path: "/mpesa/stkpush/v1/processrequest" })).toHaveLength(1);
  });

  it("a callback is stored and answered; its confirmation waits for the reconciler", async () => {
    const checkoutRequestId = (await s.row(paying.transactionId)).checkout_request_id;
    const delivery = await s.emulator.emulator.deliveries.waitFor(
      (d) => d.checkoutRequestId === checkoutRequestId && d.status === "answered",
    );
    expect(delivery.responseStatus).toBe(200);
    await s.t.services.payments.callbacks.whenIdle();
    const stored = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select(["verdict", "reason"])
      .where("transaction_id", "=", paying.transactionId)
      .execute();
    expect(stored).toEqual([{ verdict: "received", reason: expect.stringMatching(/could not be asked/) }]);
    expect((await s.row(paying.transactionId)).status).toBe("pending");
    expect(s.emulator.emulator.requests.list({ path: "/mpesa/stkpushquery/v1/query" })).toHaveLength(0);

    // Room for two queries (the attempt's check and the callback's confirmation), past the retry.
    s.clock.advance(400_000);
    await s.t.services.payments.reconciler.runOnce();
    expect(await s.row(paying.transactionId)).toMatchObject({ status: "completed" });
    const verdicts = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select("verdict")
      .where("transaction_id", "=", paying.transactionId)
      .execute();
    expect(verdicts.map((v) => v.verdict)).not.toContain("rejected");
    expect(verdicts.map((v) => v.verdict)).not.toContain("received");
  });
});

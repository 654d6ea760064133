import { afterEach, describe, expect, it } from "vitest";
import type { PaymentTransactionRow } from "../../../src/db/schema.ts";
import { AppError } from "../../../src/errors.ts";
import { claimCallback, deferCallback } from "../../../src/payments/callback.repository.ts";
import type { Actor } from "../../../src/users/user.ts";
import {
  accepted,
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  type PaymentsHarness,
  refusalCode,
  SUCCESS_PHONE,
} from "../../support/payments.ts";

let h: PaymentsHarness;
let customer: Actor;
let bookingId: string;

async function setUp(env: Record<string, string> = {}) {
  h = await createPaymentsHarness({ env });
  customer = await h.customer();
  ({ bookingId } = await h.booking(customer));
}
afterEach(async () => {
  await h.close();
});

const start = () =>
  h.payments.initiateStkPush({ userId: customer.id, bookingId, phoneNumber: SUCCESS_PHONE });

async function row(id: string): Promise<PaymentTransactionRow> {
  return h.db.db.kysely
    .selectFrom("payment_transactions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}
async function callbacks() {
  return h.db.db.kysely
    .selectFrom("mpesa_callbacks")
    .selectAll()
    .orderBy("received_at")
    .orderBy("id")
    .execute();
}
async function feeStatus() {
  const fee = await h.db.db.kysely
    .selectFrom("booking_fees")
    .select("status")
    .where("booking_id", "=", bookingId)
    .executeTakeFirstOrThrow();
  return fee.status;
}

describe("callbacks", () => {
  it("a success credits escrow once, holds the fee, and a repeat is a duplicate", async () => {
    await setUp();
    const { data } = await start();
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA77F34PY7" });
    expect(refusalCode(await h.deliver(data.transactionId, body))).toBeNull();
    h.clock.advance(1_000);
    expect(refusalCode(await h.deliver(data.transactionId, body))).toBeNull();
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA77F34PY7",
      paid_amount: 500,
      paid_phone: SUCCESS_PHONE,
      open_fee_key: null,
      mpesa_transaction_date: "2026-01-15T09:05:00.000Z",
    });
    expect((await callbacks()).map((c) => c.verdict)).toEqual(["accepted", "duplicate"]);
    expect(await feeStatus()).toBe("held");
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });

  it("two deliveries at the same moment credit once", async () => {
    await setUp();
    const { data } = await start();
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1) });
    await Promise.all([h.deliver(data.transactionId, body), h.deliver(data.transactionId, body)]);
    expect((await callbacks()).map((c) => c.verdict).sort()).toEqual(["accepted", "duplicate"]);
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });

  it("a failure fails the attempt with the customer's reason", async () => {
    await setUp();
    const { data } = await start();
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1), resultCode: 1 }));
    expect(await row(data.transactionId)).toMatchObject({
      status: "failed",
      result_code: "1",
      open_fee_key: null,
    });
    expect((await row(data.transactionId)).failure_reason).toMatch(/balance was not enough/);
  });

  it.each([
    ["no signature", { sig: null }, "CALLBACK_REJECTED"],
    ["a wrong signature", { sig: "AAAA" }, "CALLBACK_REJECTED"],
  ] as const)("refuses a callback with %s, and stores it", async (_name, options, code) => {
    await setUp();
    const { data } = await start();
    const result = await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1) }),
      options,
    );
    expect(refusalCode(result)).toBe(code);
    const [stored] = await callbacks();
    expect(stored).toMatchObject({
      verdict: "rejected",
      signature_valid: 0,
      transaction_id: data.transactionId,
    });
    expect(stored!.raw_body).toContain(checkoutIdFor(1));
    expect(stored!.processed_at).not.toBeNull();
    expect((await row(data.transactionId)).status).toBe("pending");
  });

  it("refuses wrong ids, malformed bodies and replayed receipts", async () => {
    await setUp();
    const { data } = await start();
    expect(
      refusalCode(await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: "ws_CO_other" }))),
    ).toBe("CALLBACK_REJECTED");
    expect(
      refusalCode(
        await h.deliver(
          data.transactionId,
          callbackBody({ checkoutRequestId: checkoutIdFor(1), merchantRequestId: "mr-x" }),
        ),
      ),
    ).toBe("CALLBACK_REJECTED");
    expect(refusalCode(await h.deliver(data.transactionId, "{not json"))).toBe("VALIDATION_ERROR");
    expect(refusalCode(await h.deliver(data.transactionId, '{"Body":{}}'))).toBe("VALIDATION_ERROR");
    // A receipt already credited to one payment cannot be replayed onto another.
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA7REPLAY1" }),
    );
    const other = await h.customer();
    const { bookingId: otherBooking } = await h.booking(other);
    const second = await h.payments.initiateStkPush({
      userId: other.id,
      bookingId: otherBooking,
      phoneNumber: SUCCESS_PHONE,
    });
    const replay = callbackBody({ checkoutRequestId: checkoutIdFor(2), receipt: "UA7REPLAY1" });
    expect(refusalCode(await h.deliver(second.data.transactionId, replay))).toBe("CALLBACK_REJECTED");
    expect((await row(second.data.transactionId)).status).toBe("pending");
    const verdicts = (await callbacks()).map((c) => c.verdict).sort();
    expect(verdicts).toEqual(["accepted", "rejected", "rejected", "rejected", "rejected", "rejected"]);
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });

  it("refuses a callback whose amount or phone is not what we pushed, and credits nothing", async () => {
    await setUp();
    const { data } = await start();
    expect(
      refusalCode(
        await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1), amount: 1 })),
      ),
    ).toBe("CALLBACK_REJECTED");
    expect(
      refusalCode(
        await h.deliver(
          data.transactionId,
          callbackBody({ checkoutRequestId: checkoutIdFor(1), phone: "254712345678" }),
        ),
      ),
    ).toBe("CALLBACK_REJECTED");
    expect(await row(data.transactionId)).toMatchObject({ status: "pending", paid_amount: null });
    expect((await callbacks()).map((c) => c.verdict)).toEqual(["rejected", "rejected"]);
    expect(await feeStatus()).toBe("pending");
    const balances = await h.balances();
    expect(balances.booking_fee_escrow).toBe(0);
    expect(balances.suspense).toBe(0);
  });

  it("refuses callbacks from outside the allow-list when one is configured", async () => {
    await setUp({ MPESA_CALLBACK_ALLOWED_IPS: "196.201.212.69" });
    const { data } = await start();
    expect(
      refusalCode(await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }))),
    ).toBe("CALLBACK_REJECTED");
  });

  it("with verification on, a success is confirmed by STK Query before it is credited", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "true" });
    const { data } = await start();
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1) });
    // Daraja says "still processing": the callback waits, nothing is credited.
    expect(refusalCode(await h.deliver(data.transactionId, body))).toBeNull();
    expect((await callbacks())[0]).toMatchObject({ verdict: "received", processed_at: null });
    expect((await row(data.transactionId)).status).toBe("pending");
    // Daraja says cancelled: Daraja's answer wins and the callback is rejected.
    h.daraja.answerQuery(checkoutIdFor(1), "1032", "Request Cancelled by user.");
    const [stored] = await callbacks();
    await h.payments.callbacks.process(stored!.id, { force: true });
    expect((await callbacks())[0]).toMatchObject({ verdict: "rejected" });
    expect(await row(data.transactionId)).toMatchObject({ status: "failed", result_code: "1032" });
    expect((await h.balances()).booking_fee_escrow).toBe(0);
  });

  it("finishing waiting callbacks takes a deferred one at once, but never one another worker is deciding", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "true" });
    const { data } = await start();
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(1) });
    expect(refusalCode(await h.deliver(data.transactionId, body))).toBeNull();
    const [stored] = await callbacks();
    const asked = h.daraja.queries.length;
    // It waits (deferred); another worker takes it and is deciding it now: a forced run leaves it be.
    const now = h.clock.now();
    expect(await claimCallback(h.db.db.kysely, stored!.id, now, new Date(now.getTime() + 60_000))).toBe(
      false,
    );
    expect(
      await claimCallback(h.db.db.kysely, stored!.id, now, new Date(now.getTime() + 60_000), {
        takeDeferred: true,
      }),
    ).toBe(true);
    h.daraja.answerQuery(checkoutIdFor(1), "0", "The service request is processed successfully.");
    expect(await h.payments.callbacks.process(stored!.id, { force: true })).toBe("received");
    expect(h.daraja.queries.length).toBe(asked);
    // Once that worker has deferred it, a forced run takes it before its retry time.
    await deferCallback(
      h.db.db.kysely,
      stored!.id,
      "STK Query has no final answer yet",
      new Date(now.getTime() + 30_000),
    );
    expect(await h.payments.callbacks.process(stored!.id, { force: true })).toBe("accepted");
    expect(h.daraja.queries.length).toBe(asked + 1);
  });

  it("a callback whose processing failed is finished by the reconciler", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "true" });
    const { data } = await start();
    let calls = 0;
    h.daraja.onQuery = async (checkoutRequestId) => {
      calls += 1;
      if (calls === 1) throw new Error("connection reset");
      return { kind: "final", merchantRequestId: "m", checkoutRequestId, resultCode: "0", resultDesc: "ok" };
    };
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA7LATE001" }),
    );
    expect((await callbacks())[0]).toMatchObject({ verdict: "received", processed_at: null });
    expect((await row(data.transactionId)).status).toBe("pending");
    h.clock.advance(31_000);
    expect((await h.payments.reconciler.runOnce()).callbacks).toBe(1);
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA7LATE001",
    });
    expect((await callbacks())[0]).toMatchObject({ verdict: "accepted" });
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });

  it("a callback that arrives before the push answer is finished once the push settles", async () => {
    await setUp();
    h.daraja.onPush = async (input, n) => {
      const tx = new URL(input.callbackUrl).searchParams.get("tx")!;
      await h.deliver(tx, callbackBody({ checkoutRequestId: checkoutIdFor(n) }));
      expect((await callbacks())[0]).toMatchObject({ verdict: "received" });
      return accepted(n);
    };
    const { data } = await start();
    expect((await row(data.transactionId)).status).toBe("completed");
    expect((await callbacks())[0]).toMatchObject({ verdict: "accepted" });
  });

  it("a lost push response is recovered from the signed callback, confirmed by STK Query", async () => {
    await setUp();
    h.daraja.losePushResponse();
    const { data } = await start();
    h.daraja.answerQuery(checkoutIdFor(9), "0", "The service request is processed successfully.");
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(9) }));
    expect(h.daraja.queries).toEqual([checkoutIdFor(9)]);
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      checkout_request_id: checkoutIdFor(9),
    });
    expect(await feeStatus()).toBe("held");
  });

  it("a refused push cannot be 'recovered' by a callback", async () => {
    await setUp();
    h.daraja.refusePushWith("rejected", { errorMessage: "no" });
    const failed = await start().catch((e: AppError) => e);
    expect(failed).toBeInstanceOf(AppError);
    const [tx] = await h.db.db.kysely.selectFrom("payment_transactions").selectAll().execute();
    expect(refusalCode(await h.deliver(tx!.id, callbackBody({ checkoutRequestId: checkoutIdFor(7) })))).toBe(
      "CALLBACK_REJECTED",
    );
  });
});

describe("late and extra money", () => {
  it("a success after a recorded failure completes the attempt", async () => {
    await setUp();
    const { data } = await start();
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), resultCode: 1037 }),
    );
    expect((await row(data.transactionId)).status).toBe("failed");
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    expect((await row(data.transactionId)).status).toBe("completed");
    expect(await feeStatus()).toBe("held");
  });

  it("a late success for a fee another attempt paid becomes a refund owed", async () => {
    await setUp();
    const first = await start();
    await h.deliver(
      first.data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), resultCode: 1037 }),
    );
    const second = await start();
    await h.deliver(second.data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(2) }));
    await h.deliver(first.data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    expect((await row(first.data.transactionId)).status).toBe("needs_review");
    expect((await row(first.data.transactionId)).failure_reason).toMatch(/overpayment/);
    const balances = await h.balances();
    expect(balances.booking_fee_escrow).toBe(-500);
    expect(balances.customer_refunds_payable).toBe(-500);
    expect(balances.mpesa_clearing).toBe(1000);
  });
});

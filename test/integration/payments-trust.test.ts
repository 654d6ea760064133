/**
 * Holes found by review (issue 7), each closed by a test that failed before its fix: what a callback
 * may and may not make us believe, on both engines. The payments module with a scripted Daraja and
 * a manual clock; the ledger is checked balanced when each harness closes.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PaymentTransactionRow } from "../../src/db/schema.ts";
import type { PaymentTimings } from "../../src/payments/timings.ts";
import { createReportsService } from "../../src/reports/payments-report.ts";
import {
  accepted,
  callbackBody,
  checkoutIdFor,
  createPaymentsHarness,
  merchantIdFor,
  type Payer,
  type PaymentsHarness,
  refusalCode,
} from "../support/payments.ts";

let h: PaymentsHarness;
let payer: Payer;

async function setUp(env: Record<string, string> = {}, timings: Partial<PaymentTimings> = {}) {
  h = await createPaymentsHarness({ env, timings });
  payer = await h.payer();
}
afterEach(async () => {
  await h.close();
});

const start = () => payer.start();
const row = (id: string): Promise<PaymentTransactionRow> => h.row(id);
const callbacks = (transactionId: string) => h.callbacksOf(transactionId);
const verdicts = async (transactionId: string) => (await callbacks(transactionId)).map((c) => c.verdict);

/** Daraja's answer for ids it never issued. */
const doesNotExist = () => ({
  kind: "not_final" as const,
  reason: "not_found" as const,
  resultDesc: "The transaction does not Exist",
});

describe("a lost push answer and callbacks that name ids", () => {
  const FORGED = "ws_CO_15012026120000999700000000";

  it("made-up ids are kept on the callback row, not adopted, until STK Query answers for them", async () => {
    await setUp();
    h.daraja.losePushResponse();
    const { data } = await start();
    h.daraja.onQuery = async () => doesNotExist();
    h.daraja.answerQuery(checkoutIdFor(9), "0", "The service request is processed successfully.");

    // Someone who learnt the signed URL posts a failure with ids of their own.
    const forged = callbackBody({ checkoutRequestId: FORGED, resultCode: 1032 });
    expect(refusalCode(await h.deliver(data.transactionId, forged))).toBeNull();
    expect(await row(data.transactionId)).toMatchObject({ status: "pending", checkout_request_id: null });
    const [stored] = await callbacks(data.transactionId);
    expect(stored).toMatchObject({ verdict: "received", checkout_request_id: FORGED });

    // The real callback is then believed (its ids confirmed by STK Query) and credits the payment.
    expect(
      refusalCode(await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(9) }))),
    ).toBeNull();
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      checkout_request_id: checkoutIdFor(9),
    });

    // The forged one, checked again later, is refused: it never fails the paid attempt.
    h.clock.advance(31_000);
    await h.payments.reconciler.runOnce();
    const byIds = Object.fromEntries(
      (await callbacks(data.transactionId)).map((c) => [c.checkout_request_id, c.verdict]),
    );
    expect(byIds).toEqual({ [FORGED]: "rejected", [checkoutIdFor(9)]: "accepted" });
    expect((await row(data.transactionId)).status).toBe("completed");
  });

  it("a forged success with made-up ids is never credited, even with MPESA_VERIFY_CALLBACKS=false", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "false" });
    h.daraja.losePushResponse();
    const { data } = await start();
    h.daraja.onQuery = async () => doesNotExist();
    const forged = callbackBody({ checkoutRequestId: FORGED });
    await h.deliver(data.transactionId, forged);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(31_000);
      await h.payments.reconciler.runOnce();
    }
    expect(await row(data.transactionId)).toMatchObject({ checkout_request_id: null, paid_amount: null });
    expect(h.daraja.queries.every((id) => id === FORGED)).toBe(true);
    expect(h.daraja.queries.length).toBeGreaterThanOrEqual(2); // asked again on every retry
    expect((await h.balances()).booking_fee_escrow).toBe(0);
  });

  it("a failure naming real ids is confirmed too: Daraja's answer wins", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "false" });
    h.daraja.losePushResponse();
    const { data } = await start();
    h.daraja.answerQuery(checkoutIdFor(9), "0", "The service request is processed successfully.");
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(9), resultCode: 1032 }),
    );
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      checkout_request_id: checkoutIdFor(9),
    });
    expect(await verdicts(data.transactionId)).toEqual(["rejected"]);
  });
});

describe("two copies of the real callback after a lost push answer", () => {
  it("race to adopt the ids: one is accepted, the other recorded as a duplicate (not rejected)", async () => {
    await setUp();
    h.daraja.losePushResponse();
    const { data } = await start();
    // Both copies are confirmed at the same moment: each query waits until the other has started.
    let waiting = 0;
    let release!: () => void;
    const bothAsked = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.daraja.onQuery = async (checkoutRequestId) => {
      waiting += 1;
      if (waiting === 2) release();
      await bothAsked;
      return {
        kind: "final",
        merchantRequestId: merchantIdFor(checkoutRequestId),
        checkoutRequestId,
        resultCode: "0",
        resultDesc: "The service request is processed successfully.",
      };
    };
    const body = callbackBody({ checkoutRequestId: checkoutIdFor(9), receipt: "UA77F34PY7" });
    const answers = await Promise.all([
      h.deliver(data.transactionId, body),
      h.deliver(data.transactionId, body),
    ]);
    expect(answers.map(refusalCode)).toEqual([null, null]);
    expect((await verdicts(data.transactionId)).sort()).toEqual(["accepted", "duplicate"]);
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA77F34PY7",
    });
    expect((await h.balances()).booking_fee_escrow).toBe(-500);
  });
});

describe("an unknown push whose callback never came", () => {
  const review = async () =>
    (await createReportsService({ db: h.db.db, clock: h.clock }).paymentsReport({})).needsReview;

  it("is failed after the window (the customer may try again) and put on the review list", async () => {
    await setUp();
    h.daraja.losePushResponse();
    const { data } = await start();
    h.clock.advance(4 * 60_000);
    await h.payments.reconciler.runOnce();
    expect(await row(data.transactionId)).toMatchObject({ status: "failed", open_fee_key: null });
    // Money may have been taken all the same: a person (later, the statement) settles it.
    const items = (await review()).filter((item) => item.id === data.transactionId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ bookingId: payer.bookingId, amount: 500 });
    expect(items[0]?.reason).toMatch(/may have been taken/);
    expect(items[0]?.reason).toContain("2547****4149");
    // Passes of the reconciler do not add it twice; a new attempt can start.
    await h.payments.reconciler.runOnce();
    expect((await review()).filter((item) => item.id === data.transactionId)).toHaveLength(1);
    h.daraja.onPush = async (_input, n) => accepted(n);
    await expect(start()).resolves.toMatchObject({ success: true });
  });

  it("a callback that is still waiting to be confirmed does not keep the fee locked", async () => {
    await setUp();
    h.daraja.losePushResponse();
    const { data } = await start();
    h.daraja.onQuery = async () => doesNotExist();
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: "ws_CO_15012026120000999700000001" }),
    );
    h.clock.advance(4 * 60_000);
    await h.payments.reconciler.runOnce();
    expect((await row(data.transactionId)).status).toBe("failed");
    expect((await review()).map((item) => item.id)).toContain(data.transactionId);
  });
});

describe("oversized or malformed fields", () => {
  const withItem = (body: string, name: string, value: unknown) => {
    const parsed = JSON.parse(body);
    for (const item of parsed.Body.stkCallback.CallbackMetadata.Item)
      if (item.Name === name) item.Value = value;
    return JSON.stringify(parsed);
  };

  it.each([
    ["a 4,000-character receipt", "U".repeat(4_000)],
    ["a receipt in lower case", "ua77f34py7"],
    ["a receipt of 9 characters", "UA77F34PY"],
    ["a receipt with a space", "UA77F 34PY"],
  ])("%s is refused on arrival (400), stored, and jams nothing", async (_name, receipt) => {
    await setUp();
    const { data } = await start();
    const body = withItem(
      callbackBody({ checkoutRequestId: checkoutIdFor(1) }),
      "MpesaReceiptNumber",
      receipt,
    );
    expect(refusalCode(await h.deliver(data.transactionId, body))).toBe("VALIDATION_ERROR");
    expect(await verdicts(data.transactionId)).toEqual(["rejected"]);
    expect((await callbacks(data.transactionId))[0]?.reason).toMatch(/upper-case letters or digits/);
    // The genuine callback still settles the payment.
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), receipt: "UA77F34PY7" }),
    );
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA77F34PY7",
    });
  });

  it.each(["CheckoutRequestID", "MerchantRequestID"])(
    "a 4,000-character %s is refused on arrival",
    async (field) => {
      await setUp();
      h.daraja.losePushResponse();
      const { data } = await start();
      const parsed = JSON.parse(callbackBody({ checkoutRequestId: checkoutIdFor(9) }));
      parsed.Body.stkCallback[field] = `ws_CO_${"1".repeat(4_000)}`;
      expect(refusalCode(await h.deliver(data.transactionId, JSON.stringify(parsed)))).toBe(
        "VALIDATION_ERROR",
      );
      expect(await row(data.transactionId)).toMatchObject({ status: "pending", checkout_request_id: null });
    },
  );

  it("a callback whose processing keeps failing is tried a bounded number of times, then sent to review", async () => {
    await setUp({ MPESA_VERIFY_CALLBACKS: "true" }, { callbackMaxFailures: 3 });
    const { data } = await start();
    // An answer that breaks processing every time (as a bug or a broken row would).
    h.daraja.onQuery = async () =>
      ({
        get kind(): never {
          throw new Error("unreadable answer");
        },
      }) as never;
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    for (let pass = 0; pass < 6; pass++) {
      h.clock.advance(61_000);
      await h.payments.reconciler.runOnce();
    }
    const [stored] = await callbacks(data.transactionId);
    expect(stored).toMatchObject({ verdict: "rejected", failures: 3 });
    expect(stored?.reason).toMatch(/review/);
    const items = await h.db.db.kysely.selectFrom("payment_reviews").selectAll().execute();
    expect(items).toMatchObject([{ transaction_id: data.transactionId, callback_id: stored?.id }]);
    expect(items[0]?.reason).toMatch(/unreadable answer/);
  });
});

describe("a late success after a recorded failure", () => {
  it("completes the attempt and clears the failure reason it no longer has", async () => {
    await setUp();
    const { data } = await start();
    await h.deliver(
      data.transactionId,
      callbackBody({ checkoutRequestId: checkoutIdFor(1), resultCode: 1037 }),
    );
    expect((await row(data.transactionId)).failure_reason).toMatch(/did not answer/);
    h.clock.advance(1_000);
    await h.deliver(data.transactionId, callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    expect(await row(data.transactionId)).toMatchObject({
      status: "completed",
      failure_reason: null,
      result_code: "0",
    });
    expect((await h.payments.getStatus(payer.customer, data.transactionId)).failureReason).toBeNull();
  });
});

describe("a masked PhoneNumber in a success callback", () => {
  const withPhone = (value: string) => {
    const parsed = JSON.parse(callbackBody({ checkoutRequestId: checkoutIdFor(1) }));
    for (const item of parsed.Body.stkCallback.CallbackMetadata.Item)
      if (item.Name === "PhoneNumber") item.Value = value;
    return JSON.stringify(parsed);
  };

  it.each(["2547****4149", "2547 ***** 149", "2******9", "254708****49"])(
    "%s is accepted: what can be compared matches the prompted phone",
    async (masked) => {
      await setUp();
      const { data } = await start();
      expect(refusalCode(await h.deliver(data.transactionId, withPhone(masked)))).toBeNull();
      expect(await row(data.transactionId)).toMatchObject({ status: "completed", paid_amount: 500 });
      expect(await verdicts(data.transactionId)).toEqual(["accepted"]);
    },
  );

  it.each(["2547****1234", "2541****4149", "2******8"])(
    "%s is refused: the visible digits are not the prompted phone's",
    async (masked) => {
      await setUp();
      const { data } = await start();
      expect(refusalCode(await h.deliver(data.transactionId, withPhone(masked)))).toBe("CALLBACK_REJECTED");
      expect((await row(data.transactionId)).status).toBe("pending");
    },
  );
});

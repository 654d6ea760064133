/**
 * A review that Daraja itself answers (found by the chaos run). A push whose answer was lost, with
 * no callback within the window, fails and opens a review: "money may have been taken: look for
 * KES 500 from …". When the late callback comes after all — paid, or cancelled — the question is
 * answered: the review closes in the same transaction, instead of asking a person to look for
 * money that is already in escrow (or known never taken) and to close the item by hand.
 * Real server, Daraja client and emulator; the books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import type { PaymentsStack } from "../support/payments.ts";
import { withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

let sequence = 0;
/** A number the emulator leaves to "a person": the prompt waits until the control API answers it. */
const interactivePhone = () =>
  `254729${String(Date.now() % 10_000).padStart(4, "0")}${String(++sequence).padStart(2, "0")}`;

/** Pushed with its answer lost; no callback in the window: failed, with a review open. */
async function failedUnconfirmed() {
  const c = await s.customer();
  const phone = interactivePhone();
  // The prompt must stay open on the phone until the test answers it, however busy the machine.
  s.emulator.emulator.setTimeScale(1);
  s.emulator.emulator.setFaults({ rates: { pushResponseDropped: 1 } });
  const res = await s.stkPush(c.token, { phoneNumber: phone, bookingId: c.bookingId, type: "booking_fee" });
  s.emulator.emulator.setFaults({});
  s.emulator.emulator.setTimeScale(0.01);
  const transactionId = res.json().data.transactionId as string;
  s.clock.advance(4 * 60_000);
  await s.t.services.payments.reconciler.runOnce();
  await s.waitForStatus(c.token, transactionId, ["failed"]);
  expect(await openReviews(transactionId)).toEqual([`push_unconfirmed:${transactionId}`]);
  return { c, phone, transactionId };
}

const openReviews = async (transactionId: string) =>
  (
    await s.t.db.db.kysely
      .selectFrom("payment_reviews")
      .select("review_key")
      .where("transaction_id", "=", transactionId)
      .where("resolved_at", "is", null)
      .execute()
  ).map((r) => r.review_key);

describe("a review Daraja answers", () => {
  it("the late callback says paid: the payment completes and its review closes", async () => {
    const { c, phone, transactionId } = await failedUnconfirmed();
    s.emulator.emulator.answerPrompt(phone, { kind: "pin", pin: "1234" });
    await s.waitForStatus(c.token, transactionId, ["completed"]);
    expect(await openReviews(transactionId)).toEqual([]);
  });

  it("the late callback says cancelled: no money was taken, the review closes", async () => {
    const { phone, transactionId } = await failedUnconfirmed();
    s.emulator.emulator.answerPrompt(phone, { kind: "cancel" });
    const until = Date.now() + 10_000;
    while ((await openReviews(transactionId)).length > 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await openReviews(transactionId)).toEqual([]);
    expect((await s.row(transactionId)).status).toBe("failed");
  });
});

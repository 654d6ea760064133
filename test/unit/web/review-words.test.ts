import { describe, expect, it } from "vitest";
import type { PayoutView, RefundView, ReviewPayment } from "../../../web/src/admin/review-api.ts";
import { waitingIn } from "../../../web/src/admin/review-api.ts";
import {
  decisionWords,
  failureWording,
  itemTitle,
  moneyOutDecisions,
  paymentDecisions,
  paymentReviewDecisions,
  suspenseNote,
  waitedFor,
} from "../../../web/src/lib/review-words.ts";

const payment = (inSuspense: number, amount = 500): ReviewPayment => ({
  id: "txn_1",
  bookingId: "bkg_1",
  status: "needs_review",
  amount,
  currency: "KES",
  phoneNumber: "2547****5678",
  mpesaReceiptNumber: "UAF4X8K2PQ",
  resultCode: "0",
  resultDesc: "The service request is processed successfully.",
  failureReason: "payment arrived for an attempt under review; held in suspense",
  createdAt: "2026-01-15T09:00:00.000Z",
  completedAt: null,
  inSuspense,
});

const common = {
  id: "pyt_1",
  bookingId: "bkg_1",
  phoneNumber: "2547****8002",
  amount: 450,
  currency: "KES" as const,
  conversationId: "AG_1",
  receipt: null,
  resultCode: "2040",
  resultDesc: "Credit Party customer type can't be supported by the service .",
  failureReason: null,
  createdAt: "2026-01-15T09:00:00.000Z",
  completedAt: null,
};
const payout = (status: PayoutView["status"]): PayoutView => ({
  ...common,
  status,
  technicianId: "usr_t",
  awaitingApproval: false,
});
const refund = (status: RefundView["status"]): RefundView => ({
  ...common,
  id: "rfd_1",
  status,
  customerId: "usr_c",
  transactionId: "txn_1",
  reason: "booking cancelled",
});

describe("the decisions each item allows", () => {
  it("a payment check: closed on its own unless its payment holds money in suspense (decided there)", () => {
    const review = {
      id: "rev_1",
      transactionId: "pay_1",
      reason: "look for it",
      details: {},
      createdAt: "2026-12-01T09:00:00.000Z",
    };
    expect(paymentReviewDecisions(review, undefined).map((d) => d.type)).toEqual(["close_review"]);
    expect(paymentReviewDecisions(review, payment(0)).map((d) => d.type)).toEqual(["close_review"]);
    expect(paymentReviewDecisions(review, payment(500))).toEqual([]);
    const [close] = paymentReviewDecisions(review, undefined);
    expect(decisionWords(close as NonNullable<typeof close>)).toMatchObject({
      label: "Close the check",
      done: "Payment check closed.",
    });
  });

  it("money in suspense: hold the fee (only for exactly the fee) or refund; none without money", () => {
    expect(paymentDecisions(payment(500)).map((d) => d.type)).toEqual(["hold_fee", "refund_payment"]);
    expect(paymentDecisions(payment(300)).map((d) => d.type)).toEqual(["refund_payment"]);
    expect(paymentDecisions(payment(0))).toEqual([]);
    expect(suspenseNote(payment(500))).toBe(
      "M-Pesa took KES 500; it pays for nothing until you decide: hold it as the booking fee, or refund it.",
    );
    expect(suspenseNote(payment(300))).toBe(
      "M-Pesa took KES 300; it pays for nothing until you decide. It is not the fee of KES 500, so it can only be refunded.",
    );
    expect(suspenseNote(payment(0))).toMatch(/^No money from this payment is held/);
  });

  it("payouts and refunds: failed ones are sent again or found paid; reviewed ones may also be found failed", () => {
    const types = (item: PayoutView | RefundView, kind: "payout" | "refund") =>
      moneyOutDecisions(kind, item).map((d) => d.type);
    expect(types(payout("failed"), "payout")).toEqual(["retry", "mark_paid"]);
    expect(types(refund("needs_review"), "refund")).toEqual(["retry", "mark_paid", "mark_failed"]);
    for (const status of ["queued", "submitted", "unknown", "succeeded"] as const)
      expect(types(payout(status), "payout")).toEqual([]);
  });
});

describe("the words of each decision", () => {
  it("say what happens to the money before the admin confirms", () => {
    const [hold, back] = paymentDecisions(payment(500));
    if (!hold || !back) throw new Error("two decisions expected");
    expect(decisionWords(hold).effect).toBe(
      "KES 500 moves from suspense to escrow: the booking fee is held and the booking opens to technicians.",
    );
    expect(decisionWords(back).effect).toBe(
      "KES 500 moves from suspense to a refund, sent to 2547****5678 by reversing the payment (receipt UAF4X8K2PQ).",
    );
    const [retry, paid, failed] = moneyOutDecisions("refund", refund("needs_review"));
    if (!retry || !paid || !failed) throw new Error("three decisions expected");
    expect(decisionWords(retry).effect).toBe(
      "KES 450 is sent to 2547****8002 again, as a fresh M-Pesa reversal. Check the M-Pesa statement first: if the earlier attempt arrived, this pays twice.",
    );
    expect(decisionWords(paid)).toMatchObject({
      label: "Mark as paid",
      done: "Refund of KES 450 recorded as paid.",
    });
    expect(decisionWords(failed).done).toBe(
      "Refund of KES 450 recorded as failed: it stays here to send again.",
    );
    const [again] = moneyOutDecisions("payout", payout("failed"));
    if (!again) throw new Error("a retry expected");
    expect(decisionWords(again)).toMatchObject({
      title: "Send this payout again?",
      effect: "KES 450 is sent to 2547****8002 again, as a fresh M-Pesa payment.",
    });
  });

  it("title items by amount and the number as the API gives it", () => {
    expect(itemTitle("payment", 500, "2547****5678")).toBe("Payment of KES 500 from 2547****5678");
    expect(itemTitle("payout", 450, "254712345678")).toBe("Payout of KES 450 to 0712 345 678");
    expect(itemTitle("refund", 1500, "2547****5678")).toBe("Refund of KES 1,500 to 2547****5678");
  });

  it("word a failure with Daraja's code, and prefer the recorded reason", () => {
    expect(failureWording(common)).toBe(
      "Credit Party customer type can't be supported by the service . (code 2040)",
    );
    expect(failureWording({ ...common, failureReason: "no final answer within 24 hours" })).toBe(
      "no final answer within 24 hours (code 2040)",
    );
    // Said once when the recorded reason already names it.
    expect(failureWording({ ...common, failureReason: "M-Pesa result 2040: unregistered" })).toBe(
      "M-Pesa result 2040: unregistered",
    );
    expect(failureWording(payment(500))).toBe(
      "payment arrived for an attempt under review; held in suspense",
    );
    expect(failureWording({ failureReason: null, resultDesc: null, resultCode: null })).toBeNull();
  });
});

describe("waitedFor", () => {
  const at = Date.parse("2026-01-15T09:00:00.000Z");
  it.each([
    [-5_000, "just now"],
    [59_000, "just now"],
    [60_000, "1 min"],
    [59 * 60_000, "59 min"],
    [60 * 60_000, "1 h"],
    [47 * 3_600_000, "47 h"],
    [48 * 3_600_000, "2 days"],
    [10 * 86_400_000, "10 days"],
  ])("%i ms → %s", (elapsed, words) => {
    expect(waitedFor("2026-01-15T09:00:00.000Z", at + elapsed)).toBe(words);
  });
  it("says nothing of a time it cannot read", () => {
    expect(waitedFor("not a time", at)).toBe("—");
  });
});

describe("waitingIn", () => {
  it("counts every item the page lists, section by section", () => {
    expect(
      waitingIn({ counts: { payments: 1, paymentReviews: 2, payouts: 3, refunds: 4, discrepancies: 5 } }),
    ).toBe(15);
  });
});

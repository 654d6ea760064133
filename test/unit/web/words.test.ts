import { describe, expect, it } from "vitest";
import { classifyResultCode } from "../../../src/daraja/result-codes.ts";
import type { BookingFeeStatus, BookingStatus, PaymentStatus } from "../../../web/src/api/types.ts";
import {
  bookingStatusWords,
  describeFailure,
  describePaymentRefusal,
  feeStatusWords,
  isSettled,
  paymentStatusWords,
} from "../../../web/src/lib/words.ts";

describe("describeFailure", () => {
  it("shows the server's reason, from its result-code table", () => {
    const reason = classifyResultCode("1032");
    if (reason.outcome !== "failed") throw new Error("1032 is a failure");
    expect(describeFailure({ failureReason: reason.customerMessage })).toBe(
      "You cancelled the M-Pesa prompt. No money was taken.",
    );
  });

  it.each([null, "", "  "])("falls back to plain words when the server gave none (%j)", (failureReason) => {
    expect(describeFailure({ failureReason })).toMatch(/could not complete/);
  });
});

describe("describePaymentRefusal", () => {
  it.each([
    ["ALREADY_PAID", /already been paid/],
    ["PAYMENT_IN_PROGRESS", /already on a phone/],
    ["RATE_LIMITED", /Too many attempts/],
    ["MPESA_UNAVAILABLE", /not responding/],
  ])("%s has plain words", (code, words) => {
    expect(describePaymentRefusal(code)).toMatch(words);
  });

  it("leaves other codes to the server's own message", () => {
    expect(describePaymentRefusal("INTERNAL")).toBeNull();
  });
});

describe("status words", () => {
  const payment: PaymentStatus[] = ["initiated", "pending", "completed", "failed", "needs_review"];
  const fee: BookingFeeStatus[] = ["pending", "held", "released", "refunded"];
  const booking: BookingStatus[] = ["pending_payment", "matching", "assigned", "completed", "cancelled"];

  it("give every status its own words (the badge adds an icon: never colour alone)", () => {
    const all = [
      ...payment.map(paymentStatusWords),
      ...fee.map(feeStatusWords),
      ...booking.map(bookingStatusWords),
    ];
    for (const words of all) {
      expect(words.label.length).toBeGreaterThan(2);
    }
    expect(new Set(payment.map((s) => paymentStatusWords(s).label)).size).toBe(payment.length);
    expect(new Set(fee.map((s) => feeStatusWords(s).label)).size).toBe(fee.length);
  });

  it("only completed, failed and needs_review are settled", () => {
    expect(payment.filter(isSettled)).toEqual(["completed", "failed", "needs_review"]);
  });
});

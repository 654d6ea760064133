import { describe, expect, it } from "vitest";
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
  it.each([
    ["1032", /cancelled/],
    [1032, /cancelled/],
    ["1", /balance was not enough/],
    ["2001", /PIN entered was wrong/],
    ["1037", /did not answer/],
    ["1019", /did not answer/],
    ["1025", /could not complete/],
    ["SFC_IC0003", /could not complete/],
    [null, /could not complete/],
    [undefined, /could not complete/],
  ])("result code %j reads as %s", (code, words) => {
    expect(describeFailure(code)).toMatch(words);
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

import { describe, expect, it } from "vitest";
import { commissionOf as serverCommissionOf } from "../../../src/escrow/escrow.ts";
import type { Booking, BookingStatus, PaymentAttempt } from "../../../web/src/api/types.ts";
import {
  bookingActions,
  cancelOutcome,
  commissionOf,
  describeLifeRefusal,
  type Viewer,
  whyCustomerCannotCancel,
} from "../../../web/src/lib/booking-life.ts";

const customer: Viewer = { id: "usr_c", role: "customer" };
const stranger: Viewer = { id: "usr_x", role: "customer" };
const tech: Viewer = { id: "usr_t", role: "technician" };
const otherTech: Viewer = { id: "usr_t2", role: "technician" };
const admin: Viewer = { id: "usr_a", role: "admin" };

function booking(status: BookingStatus, technicianId: string | null = null) {
  return { status, technicianId, customerId: customer.id };
}

/** The actions each viewer is offered, as the letters a(ccept) c(omplete) x (cancel) s (assign). */
function offered(b: ReturnType<typeof booking>, viewer: Viewer): string {
  const actions = bookingActions(b, viewer);
  return [
    actions.accept ? "a" : "",
    actions.complete ? "c" : "",
    actions.cancel ? "x" : "",
    actions.assign ? "s" : "",
  ].join("");
}

describe("bookingActions (the server's rules)", () => {
  it.each([
    //  status            technician  customer stranger tech  otherTech admin
    ["pending_payment", null, "x", "", "", "", "x"],
    ["matching", null, "x", "", "a", "a", "xs"],
    ["assigned", tech.id, "", "", "c", "", "cx"],
    ["completed", tech.id, "", "", "", "", ""],
    ["cancelled", null, "", "", "", "", ""],
    ["cancelled", tech.id, "", "", "", "", ""],
  ] as const)("%s (technician %s)", (status, technicianId, c, s, t, o, a) => {
    const b = booking(status, technicianId);
    expect([customer, stranger, tech, otherTech, admin].map((viewer) => offered(b, viewer))).toEqual([
      c,
      s,
      t,
      o,
      a,
    ]);
  });

  it("tells a customer why an assigned booking is no longer theirs to cancel", () => {
    expect(whyCustomerCannotCancel(booking("assigned", tech.id), customer)).toMatch(/support team/);
    expect(whyCustomerCannotCancel(booking("matching"), customer)).toBeNull();
    expect(whyCustomerCannotCancel(booking("assigned", tech.id), stranger)).toBeNull();
    expect(whyCustomerCannotCancel(booking("assigned", tech.id), admin)).toBeNull();
  });
});

function attempt(status: PaymentAttempt["status"], extra: Partial<PaymentAttempt> = {}): PaymentAttempt {
  return {
    id: `pay_${status}`,
    status,
    amount: 500,
    currency: "KES",
    phoneNumber: "254708374149",
    mpesaReceiptNumber: status === "completed" ? "UAB1234567" : null,
    resultCode: null,
    resultDesc: null,
    failureReason: null,
    createdAt: "2026-01-15T09:00:00.000Z",
    completedAt: null,
    ...extra,
  };
}

function withFee(status: Booking["bookingFee"]["status"], payments: PaymentAttempt[]) {
  return { bookingFee: { amount: 500, currency: "KES", status }, payments };
}

describe("cancelOutcome (said before anyone confirms)", () => {
  it("a held fee is reversed to the number that paid, with its receipt", () => {
    const held = withFee("held", [attempt("completed"), attempt("failed")]);
    const mine = cancelOutcome(held, customer);
    expect(mine.fee).toBe("refund");
    expect(mine.text).toContain("KES 500");
    expect(mine.text).toContain("your M-Pesa number 0708 374 149");
    expect(mine.text).toContain("reversing the payment (receipt UAB1234567)");
    const theirs = cancelOutcome(
      withFee("held", [attempt("completed", { phoneNumber: "2547****4149" })]),
      admin,
    );
    expect(theirs.text).toContain("the customer's M-Pesa number 2547****4149");
  });

  it("an unpaid fee has nothing to refund; a prompt still open would be refunded if paid", () => {
    expect(cancelOutcome(withFee("pending", []), customer)).toEqual({
      fee: "nothing_paid",
      text: expect.stringMatching(/not been paid, so there is nothing to refund\.$/),
    });
    expect(cancelOutcome(withFee("pending", [attempt("failed")]), customer).fee).toBe("nothing_paid");
    for (const open of ["initiated", "pending"] as const) {
      const outcome = cancelOutcome(withFee("pending", [attempt(open), attempt("failed")]), customer);
      expect(outcome.fee).toBe("payment_in_flight");
      expect(outcome.text).toMatch(/refunded to the number that paid/);
    }
  });
});

describe("commissionOf", () => {
  it("splits exactly as the server does, for every fee and percentage", () => {
    for (const amount of [1, 9, 10, 99, 333, 500, 501, 1_000, 12_345])
      for (const percent of [0, 1, 7, 10, 15, 33, 50, 99, 100])
        expect(commissionOf(amount, percent)).toBe(serverCommissionOf(amount, percent));
    expect(commissionOf(500, 10)).toBe(50);
    expect(commissionOf(505, 10)).toBe(50);
  });
});

describe("describeLifeRefusal", () => {
  it.each([
    ["BOOKING_NOT_AVAILABLE", /another technician/],
    ["BOOKING_NOT_COMPLETABLE", /can no longer be marked done/],
    ["BOOKING_NOT_CANCELLABLE", /support team/],
    ["TECHNICIAN_PHONE_REQUIRED", /M-Pesa phone number is needed/],
    ["TECHNICIAN_NOT_FOUND", /Choose another/],
    ["PAYOUT_NOT_APPROVABLE", /no longer waits for approval/],
    ["BOOKING_NOT_FOUND", /no longer visible/],
  ])("%s has plain words", (code, words) => {
    expect(describeLifeRefusal(code)).toMatch(words);
  });

  it("leaves other codes to the server's own message", () => {
    expect(describeLifeRefusal("VALIDATION_ERROR")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import type { PaymentStatus, Transaction } from "../../../web/src/api/types.ts";
import {
  INITIAL_STEP,
  idempotencyKeyFor,
  type PaymentEvent,
  type PaymentStep,
  paymentReducer,
} from "../../../web/src/payments/payment-flow.ts";

function tx(status: PaymentStatus, overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: "pay_1",
    bookingId: "bk_1",
    status,
    amount: 500,
    currency: "KES",
    phoneNumber: "254708374149",
    mpesaReceiptNumber: status === "completed" ? "TKL2ABCDEF" : null,
    resultCode: null,
    resultDesc: null,
    failureReason: null,
    createdAt: "2026-11-26T10:00:00.000Z",
    completedAt: null,
    ...overrides,
  };
}

const run = (events: PaymentEvent[], from: PaymentStep = INITIAL_STEP) => events.reduce(paymentReducer, from);
const waiting: PaymentStep = { step: "waiting", transactionId: "pay_1", transaction: null };

describe("paymentReducer", () => {
  it("form → sending → waiting → paid", () => {
    const paid = tx("completed");
    expect(run([{ type: "submit" }])).toEqual({ step: "sending" });
    expect(run([{ type: "submit" }, { type: "accepted", transactionId: "pay_1" }])).toEqual(waiting);
    expect(run([{ type: "update", transaction: paid }], waiting)).toEqual({
      step: "paid",
      transaction: paid,
    });
  });

  it("a refusal goes back to the form with the problem", () => {
    expect(run([{ type: "submit" }, { type: "refused", problem: "Too many attempts" }])).toEqual({
      step: "form",
      problem: "Too many attempts",
    });
  });

  it("a failure gives the server's reason, and Try again returns to an empty form", () => {
    const failed = tx("failed", {
      resultCode: "1032",
      failureReason: "You cancelled the M-Pesa prompt. No money was taken.",
    });
    const state = run([{ type: "update", transaction: failed }], waiting);
    expect(state).toMatchObject({ step: "failed", transaction: failed });
    expect(state.step === "failed" && state.reason).toMatch(/cancelled/);
    expect(paymentReducer(state, { type: "retry" })).toEqual({ step: "form", problem: null });
  });

  it("keeps the latest pending transaction while waiting", () => {
    const pending = tx("pending");
    expect(run([{ type: "update", transaction: pending }], waiting)).toEqual({
      ...waiting,
      transaction: pending,
    });
  });

  it("says it has not heard back after the watch limit, and still settles afterwards", () => {
    const unheard = run([{ type: "timeout" }], waiting);
    expect(unheard).toEqual({ step: "unheard", transactionId: "pay_1", transaction: null });
    const paid = tx("completed");
    expect(paymentReducer(unheard, { type: "update", transaction: paid })).toEqual({
      step: "paid",
      transaction: paid,
    });
  });

  it("needs_review is its own outcome", () => {
    const review = tx("needs_review");
    expect(run([{ type: "update", transaction: review }], waiting)).toEqual({
      step: "review",
      transaction: review,
    });
  });

  it("ignores updates about another transaction", () => {
    expect(run([{ type: "update", transaction: tx("completed", { id: "pay_other" }) }], waiting)).toBe(
      waiting,
    );
  });

  it("ignores events that do not fit the step (double submit, late timeout, stray retry)", () => {
    const sending: PaymentStep = { step: "sending" };
    const paid: PaymentStep = { step: "paid", transaction: tx("completed") };
    expect(paymentReducer(sending, { type: "submit" })).toBe(sending);
    expect(paymentReducer(paid, { type: "timeout" })).toBe(paid);
    expect(paymentReducer(paid, { type: "update", transaction: tx("failed") })).toBe(paid);
    expect(paymentReducer(waiting, { type: "retry" })).toBe(waiting);
    expect(paymentReducer(INITIAL_STEP, { type: "accepted", transactionId: "pay_1" })).toBe(INITIAL_STEP);
    expect(paymentReducer(waiting, { type: "refused", problem: "x" })).toBe(waiting);
  });
});

describe("idempotencyKeyFor", () => {
  let n = 0;
  const fresh = () => `key-${++n}`;

  it("uses a fresh key for a new attempt", () => {
    expect(idempotencyKeyFor(null, "body-a", fresh)).toEqual({ idempotencyKey: "key-1", body: "body-a" });
  });

  it("reuses the key when the same unanswered request is sent again", () => {
    const first = idempotencyKeyFor(null, "body-a", fresh);
    expect(idempotencyKeyFor(first, "body-a", fresh)).toBe(first);
  });

  it("takes a fresh key when the request changed (another number)", () => {
    const first = idempotencyKeyFor(null, "body-a", fresh);
    const second = idempotencyKeyFor(first, "body-b", fresh);
    expect(second.body).toBe("body-b");
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PaymentStatus as SchemaPaymentStatus } from "../../../src/db/schema.ts";
import {
  type FeeStanding,
  isFinal,
  isOpen,
  isRejection,
  PAYMENT_EVENT_TYPES,
  PAYMENT_STATUSES,
  type PaidFacts,
  type PaymentEffect,
  type PaymentEvent,
  type PaymentEventType,
  type PaymentStatus,
  type TransitionContext,
  transition,
} from "../../../src/payments/state-machine.ts";

// The state machine uses the data layer's list of statuses: one type, whichever way it is named.
const _schemaToMachine: PaymentStatus = "pending" as SchemaPaymentStatus;
const _machineToSchema: SchemaPaymentStatus = "pending" as PaymentStatus;

const PHONE = "254708374149";

function ctx(overrides: Partial<TransitionContext> = {}): TransitionContext {
  return {
    expectedAmount: 500,
    expectedPhone: PHONE,
    hasCheckoutId: true,
    fee: "awaiting_payment",
    recorded: { resultCode: null, receipt: null, paidAmount: null, inSuspense: 0 },
    ...overrides,
  };
}

function paidFacts(overrides: Partial<PaidFacts> = {}): PaidFacts {
  return {
    resultCode: "0",
    resultDesc: "The service request is processed successfully.",
    receipt: "UA77F34PY7",
    amount: 500,
    phone: PHONE,
    transactionDate: "20260107102115",
    ...overrides,
  };
}

const EVENTS: Record<PaymentEventType, PaymentEvent> = {
  push_accepted: { type: "push_accepted", merchantRequestId: "m-1", checkoutRequestId: "ws_CO_1" },
  push_refused: {
    type: "push_refused",
    errorCode: "400.002.02",
    errorMessage: "Bad Request - Invalid PhoneNumber",
  },
  push_outcome_unknown: { type: "push_outcome_unknown", reason: "timeout" },
  ids_adopted: { type: "ids_adopted", merchantRequestId: "m-1", checkoutRequestId: "ws_CO_1" },
  paid: { type: "paid", facts: paidFacts() },
  failed: {
    type: "failed",
    resultCode: "1032",
    resultDesc: "Request cancelled by user",
    reason: "cancelled",
  },
  not_final: { type: "not_final", resultDesc: "The transaction is still under processing" },
  unrecognised: { type: "unrecognised", resultCode: "7777", resultDesc: "Something new" },
  deadline_passed: { type: "deadline_passed" },
  push_unconfirmed: { type: "push_unconfirmed" },
  admin_resolve: { type: "admin_resolve", action: "hold_fee", adminId: "usr_admin", note: "phone typo" },
};

const COMPLETED_CTX = ctx({
  fee: "paid_by_this_attempt",
  recorded: { resultCode: "0", receipt: "UA77F34PY7", paidAmount: 500, inSuspense: 0 },
});

type Expected = "rejected" | { to: PaymentStatus; effects: PaymentEffect["type"][]; duplicate?: boolean };

interface Row {
  state: PaymentStatus;
  event: PaymentEventType;
  ctx?: TransitionContext;
  facts?: Partial<PaidFacts>;
  expect: Expected;
  why?: string;
}

const ESCROW: PaymentEffect["type"][] = ["record_result", "record_payment", "credit_escrow", "hold_fee"];
const SUSPENSE: PaymentEffect["type"][] = [
  "record_result",
  "record_payment",
  "record_failure",
  "credit_suspense",
];
const REFUND: PaymentEffect["type"][] = ["record_result", "record_payment", "record_failure", "owe_refund"];

/** Every state × event, plus the context variants that change the answer. */
const TABLE: Row[] = [
  // initiated
  {
    state: "initiated",
    event: "push_accepted",
    expect: { to: "pending", effects: ["record_checkout", "schedule_check"] },
  },
  {
    state: "initiated",
    event: "push_refused",
    expect: { to: "failed", effects: ["record_result", "record_failure"] },
  },
  {
    state: "initiated",
    event: "push_outcome_unknown",
    expect: { to: "pending", effects: ["schedule_check"] },
  },
  { state: "initiated", event: "ids_adopted", expect: "rejected" },
  { state: "initiated", event: "paid", expect: "rejected" },
  { state: "initiated", event: "failed", expect: "rejected" },
  { state: "initiated", event: "not_final", expect: "rejected" },
  { state: "initiated", event: "unrecognised", expect: "rejected" },
  { state: "initiated", event: "deadline_passed", expect: "rejected" },
  { state: "initiated", event: "push_unconfirmed", expect: "rejected" },
  { state: "initiated", event: "admin_resolve", expect: "rejected" },
  // pending
  { state: "pending", event: "push_accepted", expect: "rejected" },
  {
    state: "pending",
    event: "push_accepted",
    ctx: ctx({ hasCheckoutId: false }),
    expect: { to: "pending", effects: ["record_checkout", "schedule_check"] },
  },
  { state: "pending", event: "push_refused", expect: "rejected" },
  { state: "pending", event: "push_outcome_unknown", expect: "rejected" },
  { state: "pending", event: "ids_adopted", expect: "rejected" },
  {
    state: "pending",
    event: "ids_adopted",
    ctx: ctx({ hasCheckoutId: false }),
    expect: { to: "pending", effects: ["record_checkout", "schedule_check"] },
  },
  { state: "pending", event: "paid", expect: { to: "completed", effects: ESCROW } },
  {
    state: "pending",
    event: "paid",
    facts: { amount: null, receipt: null, phone: null },
    expect: { to: "completed", effects: ESCROW },
    why: "query-only success",
  },
  {
    state: "pending",
    event: "paid",
    facts: { amount: 1 },
    expect: { to: "needs_review", effects: SUSPENSE },
  },
  {
    state: "pending",
    event: "paid",
    facts: { phone: "254711111111" },
    expect: { to: "needs_review", effects: SUSPENSE },
  },
  {
    state: "pending",
    event: "paid",
    ctx: ctx({ fee: "paid_by_another_attempt" }),
    expect: { to: "needs_review", effects: REFUND },
  },
  {
    state: "pending",
    event: "paid",
    ctx: ctx({ fee: "not_payable" }),
    expect: { to: "needs_review", effects: REFUND },
  },
  {
    state: "pending",
    event: "paid",
    ctx: ctx({ fee: "paid_by_this_attempt" }),
    expect: { to: "needs_review", effects: SUSPENSE },
  },
  {
    state: "pending",
    event: "failed",
    expect: { to: "failed", effects: ["record_result", "record_failure"] },
  },
  { state: "pending", event: "not_final", expect: { to: "pending", effects: ["schedule_check"] } },
  {
    state: "pending",
    event: "unrecognised",
    expect: { to: "pending", effects: ["record_result", "schedule_check"] },
  },
  { state: "pending", event: "deadline_passed", expect: { to: "needs_review", effects: ["record_failure"] } },
  { state: "pending", event: "push_unconfirmed", expect: "rejected" },
  { state: "pending", event: "admin_resolve", expect: "rejected" },
  {
    state: "pending",
    event: "push_unconfirmed",
    ctx: ctx({ hasCheckoutId: false }),
    expect: { to: "failed", effects: ["record_failure", "open_review"] },
  },
  // completed
  { state: "completed", event: "push_accepted", ctx: COMPLETED_CTX, expect: "rejected" },
  { state: "completed", event: "push_refused", ctx: COMPLETED_CTX, expect: "rejected" },
  { state: "completed", event: "push_outcome_unknown", ctx: COMPLETED_CTX, expect: "rejected" },
  { state: "completed", event: "ids_adopted", ctx: COMPLETED_CTX, expect: "rejected" },
  {
    state: "completed",
    event: "paid",
    ctx: COMPLETED_CTX,
    expect: { to: "completed", effects: [], duplicate: true },
  },
  {
    state: "completed",
    event: "paid",
    ctx: ctx({
      fee: "paid_by_this_attempt",
      recorded: { resultCode: "0", receipt: null, paidAmount: 500, inSuspense: 0 },
    }),
    expect: { to: "completed", effects: ["record_payment"] },
    why: "completed by query, then the callback brings the receipt",
  },
  {
    state: "completed",
    event: "paid",
    ctx: COMPLETED_CTX,
    facts: { receipt: null, amount: null },
    expect: { to: "completed", effects: [], duplicate: true },
  },
  {
    state: "completed",
    event: "paid",
    ctx: COMPLETED_CTX,
    facts: { receipt: "UA70000000" },
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  {
    state: "completed",
    event: "paid",
    ctx: COMPLETED_CTX,
    facts: { amount: 499 },
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  {
    state: "completed",
    event: "failed",
    ctx: COMPLETED_CTX,
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  {
    state: "completed",
    event: "not_final",
    ctx: COMPLETED_CTX,
    expect: { to: "completed", effects: [], duplicate: true },
  },
  {
    state: "completed",
    event: "unrecognised",
    ctx: COMPLETED_CTX,
    expect: { to: "needs_review", effects: ["record_failure"] },
  },
  { state: "completed", event: "deadline_passed", ctx: COMPLETED_CTX, expect: "rejected" },
  { state: "completed", event: "push_unconfirmed", ctx: COMPLETED_CTX, expect: "rejected" },
  { state: "completed", event: "admin_resolve", ctx: COMPLETED_CTX, expect: "rejected" },
  // failed
  { state: "failed", event: "push_accepted", expect: "rejected" },
  { state: "failed", event: "push_refused", expect: "rejected" },
  { state: "failed", event: "push_outcome_unknown", expect: "rejected" },
  { state: "failed", event: "ids_adopted", expect: "rejected" },
  {
    state: "failed",
    event: "ids_adopted",
    ctx: ctx({ hasCheckoutId: false }),
    expect: { to: "failed", effects: ["record_checkout"] },
  },
  { state: "failed", event: "paid", expect: { to: "completed", effects: ESCROW }, why: "late success" },
  {
    state: "failed",
    event: "paid",
    ctx: ctx({ fee: "paid_by_another_attempt" }),
    expect: { to: "needs_review", effects: REFUND },
  },
  {
    state: "failed",
    event: "paid",
    ctx: ctx({ fee: "not_payable" }),
    expect: { to: "needs_review", effects: REFUND },
  },
  {
    state: "failed",
    event: "paid",
    facts: { amount: 50 },
    expect: { to: "needs_review", effects: SUSPENSE },
  },
  { state: "failed", event: "failed", expect: { to: "failed", effects: [], duplicate: true } },
  { state: "failed", event: "not_final", expect: { to: "failed", effects: [], duplicate: true } },
  { state: "failed", event: "unrecognised", expect: { to: "failed", effects: [], duplicate: true } },
  { state: "failed", event: "deadline_passed", expect: "rejected" },
  { state: "failed", event: "push_unconfirmed", expect: "rejected" },
  { state: "failed", event: "admin_resolve", expect: "rejected" },
  // needs_review
  { state: "needs_review", event: "push_accepted", expect: "rejected" },
  { state: "needs_review", event: "push_refused", expect: "rejected" },
  { state: "needs_review", event: "push_outcome_unknown", expect: "rejected" },
  { state: "needs_review", event: "ids_adopted", expect: "rejected" },
  {
    state: "needs_review",
    event: "paid",
    expect: { to: "needs_review", effects: ["record_result", "record_payment", "credit_suspense"] },
    why: "money after the 24 h deadline goes to suspense",
  },
  {
    state: "needs_review",
    event: "paid",
    ctx: ctx({ recorded: { resultCode: "0", receipt: "UA77F34PY7", paidAmount: 500, inSuspense: 0 } }),
    expect: { to: "needs_review", effects: [], duplicate: true },
  },
  { state: "needs_review", event: "failed", expect: { to: "needs_review", effects: [], duplicate: true } },
  { state: "needs_review", event: "not_final", expect: { to: "needs_review", effects: [], duplicate: true } },
  {
    state: "needs_review",
    event: "unrecognised",
    expect: { to: "needs_review", effects: [], duplicate: true },
  },
  { state: "needs_review", event: "deadline_passed", expect: "rejected" },
  { state: "needs_review", event: "push_unconfirmed", expect: "rejected" },
  { state: "needs_review", event: "admin_resolve", expect: "rejected", why: "no money in suspense" },
  {
    state: "needs_review",
    event: "admin_resolve",
    ctx: ctx({ recorded: { resultCode: "0", receipt: "UA77F34PY7", paidAmount: 500, inSuspense: 500 } }),
    expect: { to: "completed", effects: ["release_suspense", "hold_fee"] },
    why: "the money in suspense pays the fee",
  },
];

function eventFor(row: Row): PaymentEvent {
  if (row.event === "paid") return { type: "paid", facts: paidFacts(row.facts) };
  return EVENTS[row.event];
}

describe("payment state machine", () => {
  it("the table covers every state × event", () => {
    for (const state of PAYMENT_STATUSES)
      for (const event of PAYMENT_EVENT_TYPES)
        expect(
          TABLE.some((r) => r.state === state && r.event === event),
          `${state} × ${event}`,
        ).toBe(true);
  });

  it.each(TABLE.map((row) => [`${row.state} + ${row.event}${row.why ? ` (${row.why})` : ""}`, row] as const))(
    "%s",
    (_name, row) => {
      const result = transition(row.state, eventFor(row), row.ctx ?? ctx());
      if (row.expect === "rejected") {
        expect(isRejection(result)).toBe(true);
        return;
      }
      if (isRejection(result)) throw new Error(`unexpected rejection: ${result.rejected}`);
      expect(result.to).toBe(row.expect.to);
      expect(result.effects.map((e) => e.type)).toEqual(row.expect.effects);
      expect(result.duplicate).toBe(row.expect.duplicate ?? false);
      expect(result.note.length).toBeGreaterThan(0);
    },
  );

  it("credits escrow with the paid amount and holds the fee together", () => {
    const result = transition("pending", { type: "paid", facts: paidFacts({ amount: null }) }, ctx());
    if (isRejection(result)) throw new Error(result.rejected);
    expect(result.effects).toContainEqual({ type: "credit_escrow", amount: 500 });
  });

  it("a push refusal records Daraja's code and message", () => {
    const result = transition("initiated", EVENTS.push_refused, ctx({ hasCheckoutId: false }));
    if (isRejection(result)) throw new Error(result.rejected);
    expect(result.effects[0]).toEqual({
      type: "record_result",
      resultCode: "400.002.02",
      resultDesc: "Bad Request - Invalid PhoneNumber",
    });
  });

  it("open and final statuses partition the statuses", () => {
    expect(PAYMENT_STATUSES.filter(isOpen)).toEqual(["initiated", "pending"]);
    expect(PAYMENT_STATUSES.filter(isFinal)).toEqual(["completed", "failed", "needs_review"]);
  });
});

// Properties over arbitrary states, events and contexts.
const arbStatus = fc.constantFrom(...PAYMENT_STATUSES);
const arbFee = fc.constantFrom<FeeStanding>(
  "awaiting_payment",
  "paid_by_this_attempt",
  "paid_by_another_attempt",
  "not_payable",
);
const arbCode = fc.oneof(
  fc.constantFrom("0", "1", "1032", "1037", "4999", "SFC_IC0003"),
  fc.string({ maxLength: 6 }),
);
const arbFacts: fc.Arbitrary<PaidFacts> = fc.record({
  resultCode: fc.constant("0"),
  resultDesc: fc.string({ maxLength: 20 }),
  receipt: fc.option(fc.constantFrom("UA77F34PY7", "UA70000000"), { nil: null }),
  amount: fc.option(fc.constantFrom(1, 499, 500, 501), { nil: null }),
  phone: fc.option(fc.constantFrom(PHONE, "254711111111"), { nil: null }),
  transactionDate: fc.constant(null),
});
const arbEvent: fc.Arbitrary<PaymentEvent> = fc.oneof(
  fc.constant(EVENTS.push_accepted),
  fc.constant(EVENTS.push_refused),
  fc.constant(EVENTS.push_outcome_unknown),
  fc.constant(EVENTS.ids_adopted),
  arbFacts.map((facts) => ({ type: "paid" as const, facts })),
  arbCode.map((code) => ({ type: "failed" as const, resultCode: code, resultDesc: "x", reason: "x" })),
  fc.constant(EVENTS.not_final),
  arbCode.map((code) => ({ type: "unrecognised" as const, resultCode: code, resultDesc: "x" })),
  fc.constant(EVENTS.deadline_passed),
  fc.constant(EVENTS.push_unconfirmed),
);
const arbCtx: fc.Arbitrary<TransitionContext> = fc.record({
  expectedAmount: fc.constant(500),
  expectedPhone: fc.constant(PHONE),
  hasCheckoutId: fc.boolean(),
  fee: arbFee,
  recorded: fc.record({
    resultCode: fc.option(arbCode, { nil: null }),
    receipt: fc.option(fc.constantFrom("UA77F34PY7", "UA70000000"), { nil: null }),
    paidAmount: fc.option(fc.constantFrom(1, 500), { nil: null }),
    inSuspense: fc.constantFrom(0, 1, 500),
  }),
});

const MONEY: PaymentEffect["type"][] = ["credit_escrow", "credit_suspense", "owe_refund"];

describe("a person's decision on money in suspense", () => {
  const inSuspense = (amount: number, fee: FeeStanding = "awaiting_payment") =>
    ctx({
      fee,
      recorded: { resultCode: "0", receipt: "UA77F34PY7", paidAmount: amount, inSuspense: amount },
    });
  const decide = (action: "hold_fee" | "refund", c: TransitionContext) =>
    transition(
      "needs_review",
      { type: "admin_resolve", action, adminId: "usr_admin", note: "checked the statement" },
      c,
    );

  it("holds the fee only while it is payable, and only for exactly the fee", () => {
    expect(decide("hold_fee", inSuspense(500))).toMatchObject({
      to: "completed",
      effects: [{ type: "release_suspense", to: "booking_fee_escrow", amount: 500 }, { type: "hold_fee" }],
    });
    expect(decide("hold_fee", inSuspense(600))).toEqual({
      rejected: "KES 600 is held, the fee is KES 500; refund it instead",
    });
    for (const fee of ["paid_by_another_attempt", "not_payable", "paid_by_this_attempt"] as const)
      expect(isRejection(decide("hold_fee", inSuspense(500, fee)))).toBe(true);
  });

  it("refunds whatever is held, whatever became of the fee; the attempt stays under review", () => {
    for (const fee of ["awaiting_payment", "paid_by_another_attempt", "not_payable"] as const)
      expect(decide("refund", inSuspense(600, fee))).toMatchObject({
        to: "needs_review",
        effects: [
          { type: "release_suspense", to: "customer_refunds_payable", amount: 600 },
          { type: "record_failure", reason: "refunded by an admin's decision: checked the statement" },
        ],
      });
    expect(isRejection(decide("refund", inSuspense(0)))).toBe(true);
  });
});

describe("payment state machine properties", () => {
  it("only a paid result moves money, at most once, and never when money is already recorded", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        const money = result.effects.filter((e) => MONEY.includes(e.type));
        if (event.type !== "paid") expect(money).toEqual([]);
        expect(money.length).toBeLessThanOrEqual(1);
        if (c.recorded.paidAmount !== null) expect(money).toEqual([]);
      }),
    );
  });

  it("escrow is credited only when completing a payable fee with the expected amount and phone", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        const credits = result.effects.some((e) => e.type === "credit_escrow");
        const holds = result.effects.some((e) => e.type === "hold_fee");
        expect(credits).toBe(holds);
        if (!credits) return;
        expect(result.to).toBe("completed");
        expect(c.fee).toBe("awaiting_payment");
        if (event.type !== "paid") throw new Error("credit without payment");
        expect([null, 500]).toContain(event.facts.amount);
        expect([null, PHONE]).toContain(event.facts.phone);
      }),
    );
  });

  it("nothing but a paid event reaches completed; unknown codes never succeed", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        if (result.to === "completed" && state !== "completed") expect(event.type).toBe("paid");
        if (event.type === "unrecognised" || event.type === "not_final")
          expect(result.to === "completed" && state !== "completed").toBe(false);
      }),
    );
  });

  it("a final attempt never reopens, and money never leaves a completed one", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        if (isFinal(state)) expect(isOpen(result.to)).toBe(false);
        if (state === "completed") expect(["completed", "needs_review"]).toContain(result.to);
      }),
    );
  });

  it("duplicates change nothing", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result) || !result.duplicate) return;
        expect(result.to).toBe(state);
        expect(result.effects).toEqual([]);
      }),
    );
  });
});

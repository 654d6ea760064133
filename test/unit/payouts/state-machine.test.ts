import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PayoutStatus as SchemaPayoutStatus } from "../../../src/db/schema.ts";
import { checkResult } from "../../../src/payouts/result-check.ts";
import {
  isRejection,
  PAYOUT_EVENT_TYPES,
  PAYOUT_STATUSES,
  type PayoutContext,
  type PayoutEvent,
  type PayoutEventType,
  type PayoutStatus,
  payableAccount,
  type ResultFacts,
  transition,
} from "../../../src/payouts/state-machine.ts";
import { ctx, EVENTS, PHONE, TABLE } from "./state-machine.cases.ts";

// The state machine keeps its own union (it imports nothing of ours); it must equal the schema's.
const _schemaToMachine: PayoutStatus = "queued" as SchemaPayoutStatus;
const _machineToSchema: SchemaPayoutStatus = "queued" as PayoutStatus;

describe("payout state machine", () => {
  it("the table covers every state × event", () => {
    for (const state of PAYOUT_STATUSES)
      for (const event of PAYOUT_EVENT_TYPES)
        expect(
          TABLE.some((r) => r.state === state && r.event === event),
          `${state} × ${event}`,
        ).toBe(true);
  });

  it.each(TABLE.map((row) => [`${row.state} + ${row.event}${row.why ? ` (${row.why})` : ""}`, row] as const))(
    "%s",
    (_name, row) => {
      const event = row.with ?? EVENTS[row.event];
      expect(event.type).toBe(row.event);
      const result = transition(row.state, event, row.ctx ?? ctx());
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

  it("settles the amount we sent from the kind's payable account", () => {
    for (const kind of ["payout", "refund"] as const) {
      const result = transition("submitted", EVENTS.result_success, ctx({ kind }));
      if (isRejection(result)) throw new Error(result.rejected);
      expect(result.effects).toContainEqual({ type: "settle", account: payableAccount(kind), amount: 450 });
    }
    expect(payableAccount("payout")).toBe("technician_payable");
    expect(payableAccount("refund")).toBe("customer_refunds_payable");
  });

  it("records the admin and the note of a decision", () => {
    const result = transition("needs_review", EVENTS.admin_retry, ctx());
    if (isRejection(result)) throw new Error(result.rejected);
    expect(result.effects[0]).toEqual({
      type: "record_decision",
      adminId: "usr_admin",
      note: "number fixed",
    });
  });
});

// Properties over arbitrary states, events and contexts.
const arbStatus = fc.constantFrom(...PAYOUT_STATUSES);
const arbId = (ours: string) => fc.constantFrom<string | null>(null, ours, `${ours}-other`);
const arbFacts: fc.Arbitrary<ResultFacts> = fc.record({
  resultCode: fc.constantFrom("0", "1", "2040", "R000001"),
  resultDesc: fc.constant("desc"),
  conversationId: arbId("AG_20260115_1"),
  originatorConversationId: arbId("pyt_1-1"),
  receipt: fc.constantFrom<string | null>(null, "SG632NMUAB", "SG000OTHER"),
  amount: fc.constantFrom<number | null>(null, 45, 450, 500),
  recipient: fc.constantFrom<string | null>(null, PHONE, "254711111111"),
  originalReceipt: fc.constantFrom<string | null>(null, "UAF0000001", "UAF0000002"),
});
const arbEvent: fc.Arbitrary<PayoutEvent> = fc.oneof(
  fc.constantFrom(...Object.values(EVENTS)),
  arbFacts.map((f) => ({ type: "result_success" as const, facts: f })),
  arbFacts.map((f) => ({ type: "result_failure" as const, facts: f })),
  arbFacts.map((f) => ({ type: "already_reversed" as const, facts: f })),
  fc
    .tuple(fc.constantFrom("completed", "failed", "not_found", "pending" as const), arbFacts)
    .map(([finding, f]) => ({ type: "status_result" as const, finding, facts: f })),
);
const arbCtx: fc.Arbitrary<PayoutContext> = fc.record({
  kind: fc.constantFrom("payout" as const, "refund" as const),
  amount: fc.constant(450),
  recipient: fc.constant(PHONE),
  approvalRequired: fc.boolean(),
  approved: fc.boolean(),
  conversationId: fc.constantFrom<string | null>(null, "AG_20260115_1"),
  originatorConversationId: fc.constantFrom<string | null>(null, "pyt_1-1"),
  originalReceipt: fc.constantFrom<string | null>(null, "UAF0000001"),
  receipt: fc.constantFrom<string | null>(null, "SG632NMUAB"),
  failures: fc.integer({ min: 0, max: 4 }),
});

const SETTLING: PayoutEventType[] = ["result_success", "already_reversed", "status_result", "admin_resolve"];

describe("payout state machine properties", () => {
  it("money is settled at most once, only on entering succeeded, by a verified result or an admin", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        const settles = result.effects.filter((e) => e.type === "settle");
        expect(settles.length).toBeLessThanOrEqual(1);
        expect(settles.length === 1).toBe(result.to === "succeeded" && state !== "succeeded");
        if (settles.length === 0) return;
        expect(settles[0]).toEqual({ type: "settle", account: payableAccount(c.kind), amount: c.amount });
        expect(SETTLING).toContain(event.type);
        if (event.type === "result_success" || event.type === "status_result")
          expect(checkResult(event.facts, c, { requireAmount: true })).toBeNull();
        if (event.type === "already_reversed") expect(c.kind).toBe("refund");
      }),
    );
  });

  it("nothing leaves succeeded, and an unknown outcome never fails without a failure fact", () => {
    fc.assert(
      fc.property(arbStatus, arbEvent, arbCtx, (state, event, c) => {
        const result = transition(state, event, c);
        if (isRejection(result)) return;
        if (state === "succeeded") expect(result.to).toBe("succeeded");
        if (result.to === "failed" && state !== "failed")
          expect(["submit_refused", "result_failure", "status_result", "admin_resolve"]).toContain(
            event.type,
          );
        if (event.type === "queue_timeout" || event.type === "result_overdue")
          expect(["unknown", state]).toContain(result.to);
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

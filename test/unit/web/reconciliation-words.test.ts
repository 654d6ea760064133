import { describe, expect, it } from "vitest";
import type {
  ReconciliationDiscrepancy,
  ReconciliationRunView,
} from "../../../web/src/admin/reconciliation-api.ts";
import {
  balanceVerdict,
  discrepancyDecisionWords,
  discrepancyStateWords,
  discrepancyTitle,
  formatCents,
  KIND_SECTIONS,
  kindAdvice,
  kindWords,
  periodWords,
} from "../../../web/src/lib/reconciliation-words.ts";
import { decisionWords, discrepancyDecisions } from "../../../web/src/lib/review-words.ts";

const found: ReconciliationDiscrepancy = {
  id: "dsc_1",
  runId: "rec_1",
  kind: "missing_here",
  receipt: "UAF4X8K2PQ",
  amount: 500,
  amountCents: 50_000,
  currency: "KES",
  recordId: null,
  recordType: null,
  detail: "Paid In line with a receipt no payment of ours holds",
  lineNumber: 7,
  lineKind: "payment_in",
  otherParty: "25470****149 - JOHN DOE",
  accountNumber: "BK1A2B3C4D",
  completedAt: "2026-01-15T09:00:00.000Z",
  candidateTransactionId: null,
  details: {},
  state: "open",
  resolution: null,
  resolutionNote: null,
  resolvedBy: null,
  resolvedAt: null,
  transactionId: null,
  refundId: null,
  actions: ["attach", "refund", "resolve"],
  createdAt: "2026-01-15T10:00:00.000Z",
};

describe("formatCents", () => {
  it.each([
    [50_000, "KES 500.00"],
    [123_456_789, "KES 1,234,567.89"],
    [5, "KES 0.05"],
    [0, "KES 0.00"],
    [-2_350, "-KES 23.50"],
    [null, "—"],
  ])("%s cents reads %s", (cents, words) => {
    expect(formatCents(cents)).toBe(words);
  });
});

describe("the kinds of discrepancy, in plain words", () => {
  it("say which way the money went, and what to do", () => {
    expect(kindWords(found)).toBe("Paid in, not in our books");
    expect(kindWords({ kind: "missing_here", lineKind: "payout_out" })).toBe("Paid out, not by us");
    expect(kindWords({ kind: "missing_here", lineKind: "reversal_out" })).toBe("Paid out, not by us");
    expect(kindWords({ kind: "missing_there", lineKind: null })).toBe("In our books, not on the statement");
    expect(kindWords({ kind: "amount_differs", lineKind: "payment_in" })).toBe("Amounts differ");
    expect(kindWords({ kind: "status_differs", lineKind: "payout_out" })).toBe("Happened on one side only");
    expect(kindAdvice(found)).toMatch(/attach it to the booking it was for, or refund it/);
    expect(kindAdvice({ ...found, lineKind: "payout_out" })).toMatch(/^Money left the shortcode without us/);
    expect(kindAdvice({ ...found, state: "resolved" })).toBe("Decided: nothing more to do.");
    // One section per kind on the review queue, the dangerous one first.
    expect(KIND_SECTIONS.map((s) => s.kind)).toEqual([
      "missing_here",
      "missing_there",
      "amount_differs",
      "status_differs",
    ]);
    expect(KIND_SECTIONS[0]?.title).toBe("On the statement, not in our books");
  });

  it("title an item by its money and whose it is", () => {
    expect(discrepancyTitle(found)).toBe("KES 500.00 paid in by 25470****149 - JOHN DOE");
    expect(discrepancyTitle({ ...found, lineKind: "payout_out", otherParty: null })).toBe(
      "KES 500.00 paid out to someone unknown",
    );
    expect(discrepancyTitle({ ...found, kind: "missing_there", recordType: "payout" })).toBe(
      "Our payout of KES 500.00, not on the statement",
    );
    expect(discrepancyTitle({ ...found, kind: "amount_differs" })).toBe("Receipt UAF4X8K2PQ: amounts differ");
  });

  it("say where an item stands", () => {
    expect(discrepancyStateWords(found)).toEqual({ label: "Open", tone: "warning" });
    const closed = (resolution: ReconciliationDiscrepancy["resolution"]) =>
      discrepancyStateWords({ state: "resolved", resolution }).label;
    expect(closed("attached")).toBe("Attached to a booking");
    expect(closed("refunded")).toBe("Refunded");
    expect(closed("resolved")).toBe("Resolved with a note");
    expect(closed("superseded")).toBe("Found again by a later run");
  });
});

describe("the decisions on a discrepancy", () => {
  it("are the actions the server lists, each saying what it does first", () => {
    const decisions = discrepancyDecisions(found);
    expect(decisions.map((d) => (d.type === "discrepancy" ? d.action : d.type))).toEqual([
      "attach",
      "refund",
      "resolve",
    ]);
    expect(discrepancyDecisions({ ...found, actions: [] })).toEqual([]);
    const [attach, refund, resolve] = decisions.map(decisionWords);
    expect(attach).toMatchObject({
      label: "Attach to a booking",
      effect:
        "KES 500.00 (receipt UAF4X8K2PQ) becomes the booking's payment: its fee is held in escrow and the booking opens to technicians. If the fee is already paid, the money is owed back and refunded.",
      done: "KES 500.00 attached to the booking.",
    });
    expect(refund?.effect).toBe(
      "KES 500.00 goes back to 25470****149 - JOHN DOE by reversing the payment (receipt UAF4X8K2PQ). It is recorded against the booking given here (else the one its account names).",
    );
    expect(resolve).toMatchObject({ label: "Resolve with a note", confirm: "Resolve" });
    expect(discrepancyDecisionWords("refund", { ...found, otherParty: null, receipt: null }).effect).toMatch(
      /^KES 500\.00 goes back to the payer by reversing the payment\. /,
    );
  });
});

describe("a run's verdict and period", () => {
  const run = (unexplainedCents: number) =>
    ({ balances: { unexplainedCents } }) as unknown as Pick<ReconciliationRunView, "balances">;
  it("agree only when nothing is unexplained, and say which side has more", () => {
    expect(balanceVerdict(run(0))).toEqual({ label: "The books agree with the statement", tone: "success" });
    expect(balanceVerdict(run(50_000))).toEqual({
      label: "KES 500.00 unexplained (more on the statement)",
      tone: "warning",
    });
    expect(balanceVerdict(run(-1_050)).label).toBe("KES 10.50 unexplained (more in our books)");
  });

  it("name the period a run covered", () => {
    const format = (iso: string) => iso.slice(0, 10);
    expect(periodWords({ from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }, format)).toBe(
      "2026-01-01 – 2026-02-01",
    );
    expect(periodWords(null, format)).toBe("The statement's own lines");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatKes,
  isCompleted,
  matchStatement,
  phoneCompatible,
} from "../../../src/reconciliation/matching.ts";
import type { OurMoneyOut, OurPayment, OurRecords } from "../../../src/reconciliation/our-records.ts";
import type { Statement, StatementLine, StatementLineKind } from "../../../src/reconciliation/statement.ts";

const PERIOD = { from: "2026-01-01T00:00:00.000Z", to: "2026-01-31T23:59:59.000Z" };
const AT = "2026-01-15T09:00:00.000Z";

function payment(i: number, amount: number, over: Partial<OurPayment> = {}): OurPayment {
  return {
    id: `pay_${i}`,
    bookingId: `bkg_${i}`,
    status: "completed",
    amount,
    paidAmount: amount,
    receipt: `UAP${String(i).padStart(7, "0")}`,
    phone: "254708374149",
    accountReference: `BK${String(i).padStart(8, "0")}`,
    paidAt: AT,
    createdAt: AT,
    ...over,
  };
}

function moneyOut(kind: "payout" | "refund", i: number, amount: number, over: Partial<OurMoneyOut> = {}) {
  const out: OurMoneyOut = {
    kind,
    id: `${kind}_${i}`,
    bookingId: `bkg_${i}`,
    status: "succeeded",
    amount,
    receipt: `U${kind === "payout" ? "AB" : "AR"}${String(i).padStart(7, "0")}`,
    originalReceipt: kind === "refund" ? `UAP${String(i).padStart(7, "0")}` : null,
    completedAt: AT,
    ...over,
  };
  return out;
}

function line(n: number, kind: StatementLineKind, over: Partial<StatementLine> = {}): StatementLine {
  return {
    lineNumber: n,
    receipt: `UZZ${String(n).padStart(7, "0")}`,
    completedAt: AT,
    initiatedAt: null,
    details: kind,
    status: "Completed",
    paidInCents: 0,
    withdrawnCents: 0,
    balanceCents: null,
    reasonType: "",
    otherParty: "",
    linkedTransactionId: "",
    accountNumber: "",
    kind,
    ...over,
  };
}

/** The statement M-Pesa would print for exactly these records, with `charges` charge lines. */
function statementOf(ours: OurRecords, charges: number[] = []): Statement {
  const lines: StatementLine[] = [];
  for (const p of ours.payments)
    lines.push(
      line(lines.length + 2, "payment_in", {
        receipt: p.receipt ?? "",
        paidInCents: (p.paidAmount ?? 0) * 100,
        accountNumber: p.accountReference,
        otherParty: "2547****4149 - JANE DOE",
      }),
    );
  for (const o of ours.moneyOut)
    lines.push(
      line(lines.length + 2, o.kind === "payout" ? "payout_out" : "reversal_out", {
        receipt: o.receipt ?? "",
        withdrawnCents: o.amount * 100,
        linkedTransactionId: o.originalReceipt ?? "",
      }),
    );
  for (const c of charges) lines.push(line(lines.length + 2, "charge", { withdrawnCents: c }));
  return { lines, period: PERIOD, declaredPeriod: null };
}

const amount = fc.integer({ min: 1, max: 250_000 });
const records = fc
  .record({
    payments: fc.array(amount, { maxLength: 8 }),
    payouts: fc.array(amount, { maxLength: 5 }),
    refunds: fc.array(amount, { maxLength: 5 }),
  })
  .map(
    (a): OurRecords => ({
      payments: a.payments.map((x, i) => payment(i, x)),
      moneyOut: [
        ...a.payouts.map((x, i) => moneyOut("payout", i, x)),
        ...a.refunds.map((x, i) => moneyOut("refund", 100 + i, x)),
      ],
    }),
  );
const chargeCents = fc.array(fc.integer({ min: 1, max: 5_000 }), { maxLength: 5 });

describe("matching a statement against our records", () => {
  it("finds nothing wrong with the statement of exactly our records, and counts the charges", () => {
    fc.assert(
      fc.property(records, chargeCents, (ours, charges) => {
        const r = matchStatement(statementOf(ours, charges), ours, PERIOD);
        expect(r.discrepancies).toEqual([]);
        const outs = (kind: string) => ours.moneyOut.filter((o) => o.kind === kind).length;
        expect(r.matched).toEqual({
          payments: ours.payments.length,
          payouts: outs("payout"),
          refunds: outs("refund"),
        });
        const chargeTotal = charges.reduce((a, b) => a + b, 0);
        expect(r.charges).toEqual({ count: charges.length, cents: chargeTotal });
        const paidIn = ours.payments.reduce((a, p) => a + (p.paidAmount ?? 0) * 100, 0);
        const out = ours.moneyOut.reduce((a, o) => a + o.amount * 100, 0);
        expect(r.movementCents).toBe(paidIn - out - chargeTotal);
      }),
    );
  });

  it("names exactly the record a changed statement disagrees about, with the right kind", () => {
    const mutation = fc.constantFrom("drop", "amount", "failed", "unknown");
    fc.assert(
      fc.property(
        records.filter((o) => o.payments.length + o.moneyOut.length > 0),
        mutation,
        fc.nat(),
        (ours, how, pick) => {
          const statement = statementOf(ours);
          const index = pick % statement.lines.length;
          const target = statement.lines[index] as StatementLine;
          const all = [...ours.payments.map((p) => p.id), ...ours.moneyOut.map((o) => o.id)];
          const recordId = all[index];
          let expected: { kind: string; recordId: string | null | undefined };
          if (how === "drop") {
            statement.lines.splice(index, 1);
            expected = { kind: "missing_there", recordId };
          } else if (how === "amount") {
            if (target.paidInCents > 0) target.paidInCents += 1;
            else target.withdrawnCents += 1;
            expected = { kind: "amount_differs", recordId };
          } else if (how === "failed") {
            target.status = "Failed";
            expected = { kind: "status_differs", recordId };
          } else {
            statement.lines.push(line(999, "payment_in", { receipt: "UNK0000001", paidInCents: 50_000 }));
            expected = { kind: "missing_here", recordId: null };
          }
          const r = matchStatement(statement, ours, PERIOD);
          expect(r.discrepancies.map((d) => ({ kind: d.kind, recordId: d.record?.id ?? null }))).toEqual([
            expected,
          ]);
        },
      ),
    );
  });

  it("accounts for every line exactly once, whatever the statement and our records", () => {
    const kinds = fc.constantFrom<StatementLineKind>(
      "payment_in",
      "payout_out",
      "reversal_out",
      "charge",
      "other",
    );
    const anyLine = fc.record({
      kind: kinds,
      receipt: fc.integer({ min: 0, max: 6 }).map((i) => `UAP${String(i).padStart(7, "0")}`),
      cents: fc.integer({ min: 0, max: 1_000_000 }),
      completed: fc.boolean(),
    });
    fc.assert(
      fc.property(records, fc.array(anyLine, { maxLength: 15 }), (ours, raw) => {
        const statement: Statement = {
          period: PERIOD,
          declaredPeriod: null,
          lines: raw.map((l, i) =>
            line(i + 2, l.kind, {
              receipt: l.receipt,
              status: l.completed ? "Completed" : "Failed",
              ...(l.kind === "payment_in" ? { paidInCents: l.cents } : { withdrawnCents: l.cents }),
            }),
          ),
        };
        const r = matchStatement(statement, ours, PERIOD);
        const fromLines = r.discrepancies.filter((d) => d.line !== null).length;
        const matched = r.matched.payments + r.matched.payouts + r.matched.refunds;
        expect(matched + r.charges.count + r.other.count + r.ignored + fromLines).toBe(r.lineCount);
        // One open review item per key.
        expect(new Set(r.discrepancies.map((d) => d.key)).size).toBe(r.discrepancies.length);
        const moved = statement.lines.filter(isCompleted);
        expect(r.movementCents).toBe(moved.reduce((a, l) => a + l.paidInCents - l.withdrawnCents, 0));
      }),
    );
  });
});

describe("the cases a person meets", () => {
  it("money whose push answer and callback were lost: missing_here, naming the failed attempt it paid", () => {
    const lost = payment(1, 500, { status: "failed", paidAmount: null, receipt: null });
    const statement: Statement = {
      period: PERIOD,
      declaredPeriod: null,
      lines: [
        line(2, "payment_in", {
          receipt: "UAL1234567",
          paidInCents: 50_000,
          accountNumber: lost.accountReference,
          otherParty: "2547****4149 - JANE DOE",
        }),
      ],
    };
    const [found, ...rest] = matchStatement(
      statement,
      { payments: [lost], moneyOut: [] },
      PERIOD,
    ).discrepancies;
    expect(rest).toEqual([]);
    expect(found).toMatchObject({
      kind: "missing_here",
      key: "missing_here:UAL1234567",
      receipt: "UAL1234567",
      amountCents: 50_000,
      record: null,
      candidate: { transactionId: lost.id, bookingId: lost.bookingId },
    });
    expect(found?.detail).toMatch(
      /KES 500\.00 paid in by 2547\*\*\*\*4149 - JANE DOE .*probably our failed attempt/,
    );
    // Another phone, or another amount, is not that attempt's money.
    const other = { ...statement.lines[0], otherParty: "2547****0000 - JOHN" } as StatementLine;
    const r2 = matchStatement({ ...statement, lines: [other] }, { payments: [lost], moneyOut: [] }, PERIOD);
    expect(r2.discrepancies[0]?.candidate).toBeNull();
  });

  it("a payment completed without its receipt (STK Query) matches its line by account and amount", () => {
    const queried = payment(1, 500, { receipt: null });
    const statement = statementOf({ payments: [{ ...queried, receipt: "UAQ0000001" }], moneyOut: [] });
    const r = matchStatement(statement, { payments: [queried], moneyOut: [] }, PERIOD);
    expect({ matched: r.matched.payments, discrepancies: r.discrepancies }).toEqual({
      matched: 1,
      discrepancies: [],
    });
  });

  it("a reversal we never heard back about (receipt unknown) is found by the receipt it reverses", () => {
    const refund = moneyOut("refund", 1, 500, { status: "unknown", receipt: null, completedAt: null });
    const statement: Statement = {
      period: PERIOD,
      declaredPeriod: null,
      lines: [
        line(2, "reversal_out", {
          receipt: "UAR9999999",
          withdrawnCents: 50_000,
          linkedTransactionId: refund.originalReceipt ?? "",
        }),
      ],
    };
    const r = matchStatement(statement, { payments: [], moneyOut: [refund] }, PERIOD);
    expect(r.discrepancies.map((d) => [d.kind, d.record?.id, d.detail])).toEqual([
      ["status_differs", refund.id, "the statement shows the money left; our refund is unknown"],
    ]);
  });

  it("looks for our records only in the period, and never reports a failed line nobody recorded", () => {
    const before = payment(1, 500, { paidAt: "2025-12-31T23:00:00.000Z" });
    const statement: Statement = {
      period: PERIOD,
      declaredPeriod: null,
      lines: [line(2, "payment_in", { status: "Failed", paidInCents: 100 })],
    };
    const r = matchStatement(statement, { payments: [before], moneyOut: [] }, PERIOD);
    expect({ discrepancies: r.discrepancies, ignored: r.ignored, movement: r.movementCents }).toEqual({
      discrepancies: [],
      ignored: 1,
      movement: 0,
    });
  });

  it("formats cents and reads the statement's party", () => {
    expect([formatKes(123_456_78), formatKes(-50), formatKes(0)]).toEqual([
      "KES 123,456.78",
      "KES -0.50",
      "KES 0.00",
    ]);
    expect(phoneCompatible("254708374149 - JANE", "254708374149")).toBe(true);
    expect(phoneCompatible("2547****4149 - JANE", "254708374149")).toBe(true);
    expect(phoneCompatible("2547****0000 - JANE", "254708374149")).toBe(false);
    expect(phoneCompatible("600000 - MALIPO", "254708374149")).toBe(false);
    expect(phoneCompatible("a3f9…hashed", "254708374149")).toBe(true);
  });
});

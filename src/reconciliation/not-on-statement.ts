/**
 * `missing_there` (PURE): the records of ours in the period whose money moved — a payment whose money
 * we recorded, a payout or refund that succeeded — and that no line of the statement matched.
 */
import { formatKes, outFacts, paymentFacts } from "./line-facts.ts";
import type { Discrepancy } from "./matching.ts";
import { inPeriod, type OurRecords, type Period } from "./our-records.ts";

const cents = (kes: number) => kes * 100;

/** `used`: `<type>:<id>` of every record a line matched. */
export function notOnStatement(
  ours: OurRecords,
  used: ReadonlySet<string>,
  period: Period | null,
): Discrepancy[] {
  const out: Discrepancy[] = [];
  for (const p of ours.payments)
    if (p.paidAmount !== null && !used.has(`payment:${p.id}`) && inPeriod(p.paidAt, period))
      out.push({
        kind: "missing_there",
        key: `missing_there:payment:${p.id}`,
        line: null,
        receipt: p.receipt,
        amountCents: cents(p.paidAmount),
        record: { type: "payment", id: p.id },
        candidate: null,
        detail: `our payment of ${formatKes(cents(p.paidAmount))} (receipt ${p.receipt ?? "unknown"}) is not on the statement`,
        details: { ours: paymentFacts(p) },
      });
  for (const o of ours.moneyOut)
    if (o.status === "succeeded" && !used.has(`${o.kind}:${o.id}`) && inPeriod(o.completedAt, period))
      out.push({
        kind: "missing_there",
        key: `missing_there:${o.kind}:${o.id}`,
        line: null,
        receipt: o.receipt,
        amountCents: cents(o.amount),
        record: { type: o.kind, id: o.id },
        candidate: null,
        detail: `our ${o.kind} of ${formatKes(cents(o.amount))} (receipt ${o.receipt ?? "unknown"}) is not on the statement`,
        details: { ours: outFacts(o) },
      });
  return out;
}

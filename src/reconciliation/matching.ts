/**
 * Matching an M-Pesa statement against our records (PURE; design: books-and-webhooks.md §1). Every
 * line is matched by receipt: a Paid In line to a payment whose money we recorded, a Withdrawn line
 * to a payout or refund (a reversal also by the receipt it reverses), a charge is only counted.
 * Every record of ours in the period whose money moved must appear on the statement. Whatever does
 * not agree is a discrepancy:
 * - `missing_here`: money on the statement we have no record of (the dangerous one);
 * - `missing_there`: money we recorded that the statement does not show;
 * - `amount_differs`: both have it, for different amounts;
 * - `status_differs`: both have it, but one says it happened and the other does not.
 * A Paid In line we hold no receipt for may still name an attempt of ours: one whose push answer was
 * lost (so it never learnt its receipt), for the same account and amount, from a compatible phone.
 * It stays `missing_here` — the money is not on our books — and the attempt is named as the
 * candidate it probably paid.
 */
import type { DiscrepancyKind, ReconciledRecordType } from "../db/schema.ts";
import { formatKes, isCompleted, lineFacts, outFacts, paymentFacts, phoneCompatible } from "./line-facts.ts";
import { notOnStatement } from "./not-on-statement.ts";
import type { OurMoneyOut, OurPayment, OurRecords, Period } from "./our-records.ts";
import type { Statement, StatementLine } from "./statement.ts";

export { formatKes, isCompleted, phoneCompatible };

export interface RecordRef {
  type: ReconciledRecordType;
  id: string;
}

export interface Discrepancy {
  /** The same disagreement in any run (`missing_here:<receipt>`, `missing_there:payment:<id>` …). */
  key: string;
  kind: DiscrepancyKind;
  line: StatementLine | null;
  receipt: string | null;
  amountCents: number | null;
  record: RecordRef | null;
  candidate: { transactionId: string; bookingId: string } | null;
  /** One line for the person deciding. */
  detail: string;
  details: Record<string, unknown>;
}

export interface MatchResult {
  lineCount: number;
  matched: { payments: number; payouts: number; refunds: number };
  charges: { count: number; cents: number };
  /** Completed lines that are neither ours nor charges (own-account transfers, settlements …): net cents. */
  other: { count: number; cents: number };
  /** Lines on which no money moved (not Completed) and that name nothing of ours. */
  ignored: number;
  paidInCents: number;
  withdrawnCents: number;
  /** Σ paid in − Σ withdrawn over the completed lines, charges included. */
  movementCents: number;
  discrepancies: Discrepancy[];
}

const cents = (kes: number) => kes * 100;

export function matchStatement(statement: Statement, ours: OurRecords, period: Period | null): MatchResult {
  const byReceipt = <T extends { receipt: string | null }>(rows: T[]) =>
    new Map(rows.flatMap((r) => (r.receipt === null ? [] : [[r.receipt, r] as const])));
  const paymentsByReceipt = byReceipt(ours.payments);
  const outByReceipt = byReceipt(ours.moneyOut);
  const refundsByOriginal = new Map(
    ours.moneyOut.flatMap((o) =>
      o.kind === "refund" && o.originalReceipt !== null ? [[o.originalReceipt, o] as const] : [],
    ),
  );
  // Receipt-less payments by account reference: what an unknown Paid In line may still be.
  const byAccount = new Map<string, OurPayment[]>();
  for (const p of ours.payments) {
    if (p.receipt !== null) continue;
    const same = byAccount.get(p.accountReference);
    if (same) same.push(p);
    else byAccount.set(p.accountReference, [p]);
  }
  const used = new Set<string>();
  const candidatesTaken = new Set<string>();
  const keys = new Map<string, number>();
  const r: MatchResult = {
    lineCount: statement.lines.length,
    matched: { payments: 0, payouts: 0, refunds: 0 },
    charges: { count: 0, cents: 0 },
    other: { count: 0, cents: 0 },
    ignored: 0,
    paidInCents: 0,
    withdrawnCents: 0,
    movementCents: 0,
    discrepancies: [],
  };

  const add = (d: Omit<Discrepancy, "key"> & { key: string }) => {
    // Keys are unique within a run (one open review item per key): a repeat gets a suffix.
    const seen = (keys.get(d.key) ?? 0) + 1;
    keys.set(d.key, seen);
    r.discrepancies.push({ ...d, key: seen === 1 ? d.key : `${d.key}#${seen}` });
  };
  const fromLine = (
    kind: DiscrepancyKind,
    line: StatementLine,
    record: RecordRef | null,
    detail: string,
  ) => ({
    kind,
    line,
    receipt: line.receipt || null,
    amountCents: line.paidInCents > 0 ? line.paidInCents : line.withdrawnCents,
    record,
    candidate: null,
    detail,
  });

  const comparePayment = (line: StatementLine, p: OurPayment) => {
    const ref: RecordRef = { type: "payment", id: p.id };
    const key = (kind: DiscrepancyKind) => `${kind}:payment:${p.id}`;
    const details = { line: lineFacts(line), ours: paymentFacts(p) };
    const amount = line.paidInCents - line.withdrawnCents;
    if (p.paidAmount === null || !isCompleted(line)) {
      const ourSide =
        p.paidAmount === null ? `our payment is ${p.status} with no money recorded` : "we recorded the money";
      add({
        ...fromLine("status_differs", line, ref, `the statement says ${line.status}; ${ourSide}`),
        key: key("status_differs"),
        details,
      });
    } else if (cents(p.paidAmount) !== amount)
      add({
        ...fromLine(
          "amount_differs",
          line,
          ref,
          `the statement shows ${formatKes(amount)}; we recorded ${formatKes(cents(p.paidAmount))}`,
        ),
        key: key("amount_differs"),
        details,
      });
    else r.matched.payments += 1;
  };

  const compareOut = (line: StatementLine, o: OurMoneyOut) => {
    const ref: RecordRef = { type: o.kind, id: o.id };
    const key = (kind: DiscrepancyKind) => `${kind}:${o.kind}:${o.id}`;
    const details = { line: lineFacts(line), ours: outFacts(o) };
    const moved = isCompleted(line);
    const ourDone = o.status === "succeeded";
    const amount = line.withdrawnCents - line.paidInCents;
    if (moved !== ourDone) {
      const detail = moved
        ? `the statement shows the money left; our ${o.kind} is ${o.status}`
        : `the statement says ${line.status}; our ${o.kind} succeeded`;
      add({ ...fromLine("status_differs", line, ref, detail), key: key("status_differs"), details });
    } else if (!moved) r.ignored += 1;
    else if (cents(o.amount) !== amount)
      add({
        ...fromLine(
          "amount_differs",
          line,
          ref,
          `the statement shows ${formatKes(amount)}; our ${o.kind} is ${formatKes(cents(o.amount))}`,
        ),
        key: key("amount_differs"),
        details,
      });
    else r.matched[o.kind === "payout" ? "payouts" : "refunds"] += 1;
  };

  const unknownPaymentIn = (line: StatementLine) => {
    // Completed without learning its receipt (an STK Query answer carries none): same account and amount.
    const sameAccount = byAccount.get(line.accountNumber) ?? [];
    const unreceipted = sameAccount.find(
      (p) =>
        p.paidAmount !== null && !used.has(`payment:${p.id}`) && cents(p.paidAmount) === line.paidInCents,
    );
    if (unreceipted) {
      used.add(`payment:${unreceipted.id}`);
      r.matched.payments += 1;
      return;
    }
    const candidate = sameAccount.find(
      (p) =>
        p.paidAmount === null &&
        (p.status === "failed" || p.status === "pending") &&
        !candidatesTaken.has(p.id) &&
        cents(p.amount) === line.paidInCents &&
        phoneCompatible(line.otherParty, p.phone),
    );
    if (candidate) candidatesTaken.add(candidate.id);
    const by = line.otherParty ? ` by ${line.otherParty}` : "";
    const account = line.accountNumber ? ` (account ${line.accountNumber})` : "";
    const hint = candidate ? `; probably our ${candidate.status} attempt ${candidate.id}` : "";
    add({
      ...fromLine(
        "missing_here",
        line,
        null,
        `${formatKes(line.paidInCents)} paid in${by}${account} with no payment recorded here${hint}`,
      ),
      key: `missing_here:${line.receipt || `line-${line.lineNumber}`}`,
      candidate: candidate ? { transactionId: candidate.id, bookingId: candidate.bookingId } : null,
      details: { line: lineFacts(line), ...(candidate ? { candidate: paymentFacts(candidate) } : {}) },
    });
  };

  const missingOut = (line: StatementLine) =>
    add({
      ...fromLine(
        "missing_here",
        line,
        null,
        `${formatKes(line.withdrawnCents)} left${line.otherParty ? ` to ${line.otherParty}` : ""} with no ${
          line.kind === "payout_out" ? "payout" : "refund"
        } recorded here`,
      ),
      key: `missing_here:${line.receipt || `line-${line.lineNumber}`}`,
      details: { line: lineFacts(line) },
    });

  for (const line of [...statement.lines].sort((a, b) => a.lineNumber - b.lineNumber)) {
    const moved = isCompleted(line);
    if (moved) {
      r.paidInCents += line.paidInCents;
      r.withdrawnCents += line.withdrawnCents;
    }
    if (line.kind === "charge") {
      if (moved) {
        r.charges.count += 1;
        r.charges.cents += line.withdrawnCents - line.paidInCents;
      } else r.ignored += 1;
      continue;
    }
    const payment = paymentsByReceipt.get(line.receipt);
    if (payment && !used.has(`payment:${payment.id}`)) {
      used.add(`payment:${payment.id}`);
      comparePayment(line, payment);
      continue;
    }
    const linked = line.kind === "reversal_out" ? refundsByOriginal.get(line.linkedTransactionId) : undefined;
    const out =
      outByReceipt.get(line.receipt) ??
      (linked && (linked.receipt === null || linked.receipt === line.receipt) ? linked : undefined);
    if (out && !used.has(`${out.kind}:${out.id}`)) {
      used.add(`${out.kind}:${out.id}`);
      compareOut(line, out);
      continue;
    }
    if (!moved) r.ignored += 1;
    else if (line.kind === "payment_in") unknownPaymentIn(line);
    else if (line.kind === "payout_out" || line.kind === "reversal_out") missingOut(line);
    else {
      r.other.count += 1;
      r.other.cents += line.paidInCents - line.withdrawnCents;
    }
  }

  r.discrepancies.push(...notOnStatement(ours, used, period));
  r.movementCents = r.paidInCents - r.withdrawnCents;
  return r;
}

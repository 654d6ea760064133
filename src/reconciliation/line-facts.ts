/**
 * How the matcher reads and describes a statement line and our records (PURE): which lines moved
 * money, amounts for people, whether a statement's party could be a number we prompted, and the
 * facts a discrepancy keeps of both sides.
 */
import { couldBeMsisdn } from "../daraja/phone.ts";
import type { OurMoneyOut, OurPayment } from "./our-records.ts";
import type { StatementLine } from "./statement.ts";

/** Only a Completed line moved money. */
export const isCompleted = (line: Pick<StatementLine, "status">) =>
  line.status.trim().toLowerCase() === "completed";

/** `123456` → `KES 1,234.56`. */
export function formatKes(amountCents: number): string {
  const sign = amountCents < 0 ? "-" : "";
  const abs = Math.abs(amountCents);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `KES ${sign}${whole}.${String(abs % 100).padStart(2, "0")}`;
}

/** A statement's party (`254712***678 - JANE DOE`) could be the number we prompted; unknown forms could. */
export function phoneCompatible(otherParty: string, phone: string): boolean {
  const shown = (otherParty.split(" - ")[0] ?? "").trim();
  if (!/^[+\d*\s]+$/.test(shown) || !/\d/.test(shown)) return true;
  return couldBeMsisdn(shown, phone);
}

export function lineFacts(line: StatementLine): Record<string, unknown> {
  const { lineNumber, receipt, completedAt, details, status, paidInCents, withdrawnCents } = line;
  const { otherParty, accountNumber, linkedTransactionId, kind } = line;
  return {
    lineNumber,
    receipt,
    completedAt,
    details,
    status,
    paidInCents,
    withdrawnCents,
    otherParty,
    accountNumber,
    linkedTransactionId,
    kind,
  };
}

export const paymentFacts = (p: OurPayment) => ({
  type: "payment",
  id: p.id,
  bookingId: p.bookingId,
  status: p.status,
  amount: p.amount,
  paidAmount: p.paidAmount,
  receipt: p.receipt,
});
export const outFacts = (o: OurMoneyOut) => ({
  type: o.kind,
  id: o.id,
  bookingId: o.bookingId,
  status: o.status,
  amount: o.amount,
  receipt: o.receipt,
  originalReceipt: o.originalReceipt,
});

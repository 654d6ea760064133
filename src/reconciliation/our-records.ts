/**
 * Our side of a reconciliation, as the matcher sees it (PURE types): the payments, payouts and
 * refunds a statement's lines may name, and those of its period that must appear on it. Amounts are
 * whole KES as we record them; the matcher compares them in cents.
 */
import type { PaymentStatus, PayoutKind, PayoutStatus } from "../db/schema.ts";

export interface OurPayment {
  id: string;
  bookingId: string;
  status: PaymentStatus;
  /** What was asked (the fee). */
  amount: number;
  /** What we recorded as received; null: no money on our books for this attempt. */
  paidAmount: number | null;
  receipt: string | null;
  /** The number prompted (canonical). */
  phone: string;
  /** What the payer saw as the account (`A/C No.` on the statement). */
  accountReference: string;
  /** When M-Pesa took the money (its own time when we know it, else when we recorded it). */
  paidAt: string | null;
  createdAt: string;
}

export interface OurMoneyOut {
  kind: PayoutKind;
  id: string;
  bookingId: string;
  status: PayoutStatus;
  amount: number;
  /** The B2C or reversal's own receipt. */
  receipt: string | null;
  /** Refunds: the receipt the reversal reverses (`Linked Transaction ID` on the statement). */
  originalReceipt: string | null;
  completedAt: string | null;
}

export interface OurRecords {
  payments: OurPayment[];
  moneyOut: OurMoneyOut[];
}

export interface Period {
  from: string;
  to: string;
}

/** ISO instants compare as instants (our rows and the statement may write them differently). */
export function inPeriod(at: string | null, period: Period | null): boolean {
  if (at === null || period === null) return false;
  const t = Date.parse(at);
  return t >= Date.parse(period.from) && t <= Date.parse(period.to);
}

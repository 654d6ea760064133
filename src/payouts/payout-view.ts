/** Payouts and refunds as the API shows them (escrow.md, object shapes), and who may see which. */
import { maskMsisdn } from "../daraja/phone.ts";
import type { PayoutRow, PayoutStatus, RefundRow } from "../db/schema.ts";
import type { Actor } from "../users/user.ts";

interface MoneyOutView {
  id: string;
  bookingId: string;
  /** Full number for the person receiving the money; masked (`2547****5678`) for anyone else. */
  phoneNumber: string;
  amount: number;
  currency: "KES";
  status: PayoutStatus;
  conversationId: string | null;
  /** Daraja's TransactionID of the payout or reversal, once it succeeded. */
  receipt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  failureReason: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface PayoutView extends MoneyOutView {
  technicianId: string;
  /** PAYOUT_APPROVAL=admin and no admin approved it yet: it stays queued. */
  awaitingApproval: boolean;
}

export interface RefundView extends MoneyOutView {
  customerId: string;
  /** The payment being reversed. */
  transactionId: string;
  reason: string;
}

function common(row: PayoutRow | RefundRow, showFullPhone: boolean): MoneyOutView {
  return {
    id: row.id,
    bookingId: row.booking_id,
    phoneNumber: showFullPhone ? row.phone_number : maskMsisdn(row.phone_number),
    amount: row.amount,
    currency: "KES",
    status: row.status,
    conversationId: row.conversation_id,
    receipt: row.receipt,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export function toPayoutView(row: PayoutRow, viewer: Actor): PayoutView {
  return {
    ...common(row, row.technician_id === viewer.id),
    technicianId: row.technician_id,
    awaitingApproval: row.status === "queued" && row.approval_required === 1 && row.approved_at === null,
  };
}

export function toRefundView(row: RefundRow, viewer: Actor): RefundView {
  return {
    ...common(row, row.customer_id === viewer.id),
    customerId: row.customer_id,
    transactionId: row.transaction_id,
    reason: row.reason,
  };
}

/** The technician paid, or an admin. Anyone else is told it does not exist (no probing of ids). */
export function canSeePayout(row: PayoutRow, viewer: Actor): boolean {
  return viewer.role === "admin" || row.technician_id === viewer.id;
}

/** The customer refunded, or an admin. */
export function canSeeRefund(row: RefundRow, viewer: Actor): boolean {
  return viewer.role === "admin" || row.customer_id === viewer.id;
}

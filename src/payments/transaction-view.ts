/** A payment transaction as the API shows it (api.md, Payments). */
import { maskMsisdn } from "../daraja/phone.ts";
import type { PaymentStatus, PaymentTransactionRow } from "../db/schema.ts";
import type { Actor } from "../users/user.ts";

export interface TransactionView {
  id: string;
  bookingId: string;
  status: PaymentStatus;
  amount: number;
  currency: "KES";
  /** Full number for its owner; masked (`2547****5678`) for anyone else. */
  phoneNumber: string;
  mpesaReceiptNumber: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  failureReason: string | null;
  createdAt: string;
  completedAt: string | null;
}

export function toTransactionView(row: PaymentTransactionRow, viewer: Actor): TransactionView {
  return {
    id: row.id,
    bookingId: row.booking_id,
    status: row.status,
    amount: row.amount,
    currency: "KES",
    phoneNumber: row.user_id === viewer.id ? row.phone_number : maskMsisdn(row.phone_number),
    mpesaReceiptNumber: row.mpesa_receipt_number,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** Its owner, or an admin. Anyone else is told it does not exist (no probing of ids). */
export function canSee(row: PaymentTransactionRow, viewer: Actor): boolean {
  return viewer.role === "admin" || row.user_id === viewer.id;
}

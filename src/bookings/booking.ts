/** Bookings and their booking fee as the API shows them. */
import { maskMsisdn } from "../daraja/phone.ts";
import type {
  BookingFeeRow,
  BookingFeeStatus,
  BookingRow,
  BookingStatus,
  PaymentStatus,
  PaymentTransactionRow,
} from "../db/schema.ts";
import type { PayoutView, RefundView } from "../payouts/payout-view.ts";

export type { BookingFeeStatus, BookingStatus };

export const BOOKING_STATUSES: readonly BookingStatus[] = [
  "pending_payment",
  "matching",
  "assigned",
  "completed",
  "cancelled",
];
export const BOOKING_FEE_STATUSES: readonly BookingFeeStatus[] = ["pending", "held", "released", "refunded"];

export interface BookingFeeView {
  amount: number;
  currency: "KES";
  status: BookingFeeStatus;
}

/** One payment attempt for a booking's fee, newest first in `Booking.payments`. */
export interface PaymentAttemptView {
  id: string;
  status: PaymentStatus;
  amount: number;
  currency: "KES";
  /** Full number for the booking's customer; masked (`2547****5678`) for anyone else. */
  phoneNumber: string;
  mpesaReceiptNumber: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  failureReason: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Booking {
  id: string;
  service: string;
  description: string | null;
  location: string | null;
  scheduledFor: string | null;
  status: BookingStatus;
  customerId: string;
  technicianId: string | null;
  /** The canceller's reason; null unless cancelled. */
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  bookingFee: BookingFeeView;
  /** Present when one booking is read; omitted from lists. */
  payments?: PaymentAttemptView[];
  /** When one booking is read and its fee was released: the technician's payout. */
  payout?: PayoutView;
  /** When one booking is read and money is owed back (its held fee, or a late payment): the refund. */
  refund?: RefundView;
}

export function toBooking(row: BookingRow, fee: Pick<BookingFeeRow, "amount" | "status">): Booking {
  return {
    id: row.id,
    service: row.service,
    description: row.description,
    location: row.location,
    scheduledFor: row.scheduled_for,
    status: row.status,
    customerId: row.customer_id,
    technicianId: row.technician_id,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    bookingFee: { amount: fee.amount, currency: "KES", status: fee.status },
  };
}

export type PaymentAttemptRow = Pick<
  PaymentTransactionRow,
  | "id"
  | "status"
  | "amount"
  | "phone_number"
  | "mpesa_receipt_number"
  | "result_code"
  | "result_desc"
  | "failure_reason"
  | "created_at"
  | "completed_at"
>;

export function toPaymentAttempt(row: PaymentAttemptRow, showFullPhone: boolean): PaymentAttemptView {
  return {
    id: row.id,
    status: row.status,
    amount: row.amount,
    currency: "KES",
    phoneNumber: showFullPhone ? row.phone_number : maskMsisdn(row.phone_number),
    mpesaReceiptNumber: row.mpesa_receipt_number,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

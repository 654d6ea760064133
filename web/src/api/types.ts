/**
 * The shapes Malipo's API answers with (docs: design/api.md), as this front end reads them.
 * Kept apart from the server's own types: the HTTP contract is the boundary, not the server's code.
 */

export type UserRole = "customer" | "technician" | "admin";
export type BookingStatus = "pending_payment" | "matching" | "assigned" | "completed" | "cancelled";
export type BookingFeeStatus = "pending" | "held" | "released" | "refunded";
export type PaymentStatus = "initiated" | "pending" | "completed" | "failed" | "needs_review";
/** Payouts to technicians and refunds to customers share one state machine. */
export type MoneyOutStatus = "queued" | "submitted" | "succeeded" | "failed" | "unknown" | "needs_review";

export interface User {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  phoneNumber?: string | null;
}

export interface AuthResult {
  user: User;
  token: string;
}

export interface BookingFee {
  amount: number;
  currency: string;
  status: BookingFeeStatus;
}

/** One STK Push attempt for a booking fee, as `GET /payments/mpesa/status/:id` describes it. */
export interface Transaction {
  id: string;
  bookingId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  phoneNumber: string;
  mpesaReceiptNumber: string | null;
  /** Daraja's ResultCode, as a string ("0", "1032", …). */
  resultCode: string | null;
  resultDesc: string | null;
  failureReason: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** A transaction as a booking lists it (the booking is implied). */
export type PaymentAttempt = Omit<Transaction, "bookingId">;

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
  bookingFee: BookingFee;
  /** Payment attempts for the booking fee, newest first. */
  payments: PaymentAttempt[];
  /** One booking read: the technician's payout once the fee was released. */
  payout?: Payout;
  /** One booking read: the refund of money owed back (the held fee, or a late payment). */
  refund?: Refund;
}

interface MoneyOut {
  id: string;
  bookingId: string;
  /** Full for the person receiving the money; masked (`2547****5678`) for anyone else. */
  phoneNumber: string;
  amount: number;
  currency: string;
  status: MoneyOutStatus;
  conversationId: string | null;
  /** M-Pesa's transaction id of the payout or reversal, once it succeeded. */
  receipt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  failureReason: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** A technician's share of a released booking fee, sent to their M-Pesa (B2C). */
export interface Payout extends MoneyOut {
  technicianId: string;
  /** PAYOUT_APPROVAL=admin and no admin approved it yet. */
  awaitingApproval: boolean;
}

/** Money owed back to a customer, sent by reversing their M-Pesa payment. */
export interface Refund extends MoneyOut {
  customerId: string;
  /** The payment being reversed. */
  transactionId: string;
  reason: string;
}

export interface Page<T> {
  count: number;
  total: number;
  page: number;
  pages: number;
  items: T[];
}

export interface StkPushAccepted {
  transactionId: string;
  checkoutRequestId: string;
  customerMessage: string;
}

export type MpesaEnvironment = "emulator" | "sandbox" | "production";

export interface AppConfig {
  mpesaEnvironment: MpesaEnvironment;
  /** `http://127.0.0.1:3001/__emulator/phone/{msisdn}` in emulator mode, else null. */
  emulatorPhoneUrlTemplate: string | null;
  bookingFeeKes: number;
  currency: string;
  /** The platform's share of a released fee, in whole percent (the server rounds it down to shillings). */
  commissionPercent: number;
  /** `admin`: every payout waits for an admin's approval before it is sent. */
  payoutApproval: "auto" | "admin";
}

/** `GET /admin/reports/payments` → `data.report`. */
export interface PaymentsReport {
  from: string;
  /** Exclusive end of the range. */
  to: string;
  counts: Record<PaymentStatus, number> & { total: number };
  /** completed / (completed + failed), 0–1; null when nothing has finished. */
  successRate: number | null;
  timeToResult: { samples: number; averageSeconds: number | null; p95Seconds: number | null };
  revenuePerDay: { day: string; amount: number; count: number; currency: string }[];
  failureReasons: { reason: string; resultCode: string | null; count: number }[];
  needsReview: { id: string; bookingId: string; amount: number; reason: string; createdAt: string }[];
}

export interface MoneyTotal {
  amount: number;
  count: number;
}

/** `GET /admin/reports/money-out` → `data.report`. */
export interface MoneyOutReport {
  from: string;
  /** Exclusive end of the range. */
  to: string;
  currency: string;
  paidOut: MoneyTotal;
  refunded: MoneyTotal;
  commission: MoneyTotal;
  /** Now, whatever the range. */
  owed: { technicianPayable: number; customerRefundsPayable: number; heldInEscrow: number };
  payouts: { counts: Record<MoneyOutStatus, number>; awaitingApproval: number };
  refunds: { counts: Record<MoneyOutStatus, number> };
}

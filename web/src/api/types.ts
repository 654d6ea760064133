/**
 * The shapes Malipo's API answers with (docs: design/api.md), as this front end reads them.
 * Kept apart from the server's own types: the HTTP contract is the boundary, not the server's code.
 */

export type UserRole = "customer" | "technician" | "admin";
export type BookingStatus = "pending_payment" | "matching" | "assigned" | "completed" | "cancelled";
export type BookingFeeStatus = "pending" | "held" | "released" | "refunded";
export type PaymentStatus = "initiated" | "pending" | "completed" | "failed" | "needs_review";

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
  createdAt: string;
  bookingFee: BookingFee;
  /** Payment attempts for the booking fee, newest first. */
  payments: PaymentAttempt[];
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

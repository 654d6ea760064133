/**
 * Plain words for everything the customer sees about a payment: statuses (always text plus an icon,
 * never colour alone), why an M-Pesa prompt failed, and what an API refusal means.
 */
import type { BookingFeeStatus, BookingStatus, MoneyOutStatus, PaymentStatus } from "../api/types.ts";

export type Tone = "success" | "danger" | "waiting" | "warning" | "neutral";

export interface StatusWords {
  label: string;
  tone: Tone;
}

export function paymentStatusWords(status: PaymentStatus): StatusWords {
  switch (status) {
    case "initiated":
      return { label: "Sending prompt", tone: "waiting" };
    case "pending":
      return { label: "Waiting for PIN", tone: "waiting" };
    case "completed":
      return { label: "Paid", tone: "success" };
    case "failed":
      return { label: "Failed", tone: "danger" };
    case "needs_review":
      return { label: "Being checked", tone: "warning" };
    default: {
      const _exhaustive: never = status;
      return { label: String(_exhaustive), tone: "neutral" };
    }
  }
}

export function feeStatusWords(status: BookingFeeStatus): StatusWords {
  switch (status) {
    case "pending":
      return { label: "Not paid yet", tone: "waiting" };
    case "held":
      return { label: "Paid, held safely", tone: "success" };
    case "released":
      return { label: "Released to technician", tone: "neutral" };
    case "refunded":
      return { label: "Refunded", tone: "warning" };
    default: {
      const _exhaustive: never = status;
      return { label: String(_exhaustive), tone: "neutral" };
    }
  }
}

export function bookingStatusWords(status: BookingStatus): StatusWords {
  switch (status) {
    case "pending_payment":
      return { label: "Waiting for booking fee", tone: "waiting" };
    case "matching":
      return { label: "Finding a technician", tone: "neutral" };
    case "assigned":
      return { label: "Technician assigned", tone: "success" };
    case "completed":
      return { label: "Completed", tone: "success" };
    case "cancelled":
      return { label: "Cancelled", tone: "danger" };
    default: {
      const _exhaustive: never = status;
      return { label: String(_exhaustive), tone: "neutral" };
    }
  }
}

/** True once a payment attempt will not change on its own any more. */
export function isSettled(status: PaymentStatus): boolean {
  switch (status) {
    case "completed":
    case "failed":
    case "needs_review":
      return true;
    case "initiated":
    case "pending":
      return false;
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}

/**
 * True while a payout or refund can still move without a person (queued, with M-Pesa, or being
 * checked with M-Pesa); failed and needs_review wait for our team.
 */
export function isMoneyOutOpen(status: MoneyOutStatus): boolean {
  switch (status) {
    case "queued":
    case "submitted":
    case "unknown":
      return true;
    case "succeeded":
    case "failed":
    case "needs_review":
      return false;
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}

/**
 * Why an M-Pesa prompt did not end in a payment: the server's own words (`failureReason`, from its
 * result-code table), so the customer reads one wording wherever the failure is shown.
 */
export function describeFailure(attempt: { failureReason: string | null }): string {
  const reason = attempt.failureReason?.trim();
  return reason ? reason : "M-Pesa could not complete the payment. Please try again.";
}

/** A refused payment request in plain words; null means "use the server's own message". */
export function describePaymentRefusal(code: string): string | null {
  switch (code) {
    case "ALREADY_PAID":
      return "This booking fee has already been paid. There is nothing more to pay.";
    case "PAYMENT_IN_PROGRESS":
      return "An M-Pesa prompt for this booking is already on a phone. Answer it there, or wait a minute and try again.";
    case "RATE_LIMITED":
      return "Too many attempts in a short time. Please wait a minute, then try again.";
    case "MPESA_UNAVAILABLE":
      return "M-Pesa is not responding right now. No money was taken; please try again in a few minutes.";
    case "MPESA_REJECTED":
      return "M-Pesa refused to send the prompt. Check the number and try again.";
    case "MPESA_OUTCOME_UNKNOWN":
      return "We could not confirm with M-Pesa that the prompt was sent. Check your phone before trying again.";
    case "BOOKING_NOT_PAYABLE":
      return "This booking cannot be paid for any more.";
    default:
      return null;
  }
}

/**
 * A booking's life after payment, as the pages present it: which actions a person may take on a
 * booking now (the server's own rules, so a page never offers what would be refused), what
 * cancelling does to the booking fee — said before anyone confirms — and the refusals in plain words.
 */
import type { Booking, PaymentAttempt, UserRole } from "../api/types.ts";
import { formatKes, formatMsisdn } from "./format.ts";

export interface Viewer {
  id: string;
  role: UserRole;
}

export interface BookingActions {
  /** A technician takes an open job. */
  accept: boolean;
  /** The assigned technician (or an admin) says the job is done. */
  complete: boolean;
  /** The customer before assignment; an admin until completion. */
  cancel: boolean;
  /** An admin gives an open job to a technician. */
  assign: boolean;
}

type LifeFields = Pick<Booking, "status" | "technicianId" | "customerId">;

export function bookingActions(booking: LifeFields, viewer: Viewer): BookingActions {
  const open = booking.status === "matching" && booking.technicianId === null;
  const beforeAssignment = booking.status === "pending_payment" || booking.status === "matching";
  return {
    accept: viewer.role === "technician" && open,
    complete:
      booking.status === "assigned" &&
      (viewer.role === "admin" || (viewer.role === "technician" && booking.technicianId === viewer.id)),
    cancel:
      (viewer.role === "customer" && booking.customerId === viewer.id && beforeAssignment) ||
      (viewer.role === "admin" && (beforeAssignment || booking.status === "assigned")),
    assign: viewer.role === "admin" && open,
  };
}

/** Why the customer cannot cancel (the booking is theirs but past the point they may), or null. */
export function whyCustomerCannotCancel(booking: LifeFields, viewer: Viewer): string | null {
  if (viewer.role !== "customer" || booking.customerId !== viewer.id) return null;
  if (booking.status === "assigned")
    return "A technician has been assigned, so only Malipo's support team can cancel this booking now. Contact them if you need to.";
  return null;
}

export interface CancelOutcome {
  /** What happens to the fee: nothing was paid, a paid fee is reversed, or a payment in flight. */
  fee: "nothing_paid" | "refund" | "payment_in_flight";
  /** Said in the confirmation, before the person confirms. */
  text: string;
}

/** What cancelling does to the booking fee, in the words of whoever is cancelling. */
export function cancelOutcome(
  booking: Pick<Booking, "bookingFee" | "payments">,
  viewer: Pick<Viewer, "role">,
): CancelOutcome {
  const yours = viewer.role === "customer";
  const fee = booking.bookingFee;
  if (fee.status === "held") {
    const paid = paidAttempt(booking.payments);
    const to = paid
      ? `${yours ? "your" : "the customer's"} M-Pesa number ${formatMsisdn(paid.phoneNumber)}`
      : `the M-Pesa number that paid`;
    const receipt = paid?.mpesaReceiptNumber ? ` (receipt ${paid.mpesaReceiptNumber})` : "";
    return {
      fee: "refund",
      text: `The booking fee of ${formatKes(fee.amount)} is refunded to ${to} by reversing the payment${receipt}. It usually arrives within minutes.`,
    };
  }
  if (booking.payments.some((p) => p.status === "initiated" || p.status === "pending"))
    return {
      fee: "payment_in_flight",
      text: `The booking fee has not been paid, so there is nothing to refund. If the M-Pesa prompt already sent is still paid, that money is refunded to the number that paid it.`,
    };
  return {
    fee: "nothing_paid",
    text: `The booking fee has not been paid, so there is nothing to refund.`,
  };
}

function paidAttempt(payments: readonly PaymentAttempt[]): PaymentAttempt | undefined {
  return payments.find((p) => p.status === "completed");
}

/** The platform's commission on a fee, rounded down to whole shillings (as the server splits it). */
export function commissionOf(amount: number, percent: number): number {
  return Math.floor((amount * percent) / 100);
}

/** A refused booking-life request in plain words; null means "use the server's own message". */
export function describeLifeRefusal(code: string): string | null {
  switch (code) {
    case "BOOKING_NOT_AVAILABLE":
      return "This job is no longer open: another technician may have taken it first.";
    case "BOOKING_NOT_COMPLETABLE":
      return "This job can no longer be marked done: it is not assigned to you, or it has already ended.";
    case "BOOKING_NOT_CANCELLABLE":
      return "This booking can no longer be cancelled here: once a technician is assigned only Malipo's support team can cancel it, and a finished booking cannot be cancelled.";
    case "TECHNICIAN_PHONE_REQUIRED":
      return "An M-Pesa phone number is needed first: payouts for the job are sent there.";
    case "TECHNICIAN_NOT_FOUND":
      return "That technician's account no longer exists. Choose another.";
    case "PAYOUT_NOT_APPROVABLE":
      return "This payout no longer waits for approval: someone may have approved it already.";
    case "BOOKING_NOT_FOUND":
      return "This booking is no longer visible to you.";
    default:
      return null;
  }
}

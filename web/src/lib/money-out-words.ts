/**
 * Plain words for money leaving escrow: a technician's payout (sent by M-Pesa B2C) and a customer's
 * refund (a reversal of their payment). Statuses always as text plus an icon's tone, never colour alone.
 */
import type { MoneyOutStatus, Payout, Refund } from "../api/types.ts";
import { formatKes, formatMsisdn } from "./format.ts";
import type { StatusWords } from "./words.ts";

export type MoneyOutKind = "payout" | "refund";

export const MONEY_OUT_STATUSES: readonly MoneyOutStatus[] = [
  "queued",
  "submitted",
  "succeeded",
  "failed",
  "unknown",
  "needs_review",
];

export function moneyOutStatusWords(
  kind: MoneyOutKind,
  status: MoneyOutStatus,
  awaitingApproval = false,
): StatusWords {
  switch (status) {
    case "queued":
      return awaitingApproval
        ? { label: "Waiting for approval", tone: "waiting" }
        : { label: "Queued to send", tone: "waiting" };
    case "submitted":
      return { label: "Sent to M-Pesa", tone: "waiting" };
    case "succeeded":
      return { label: kind === "payout" ? "Paid out" : "Refunded", tone: "success" };
    case "failed":
      return { label: "Failed, still owed", tone: "danger" };
    case "unknown":
      return { label: "Checking with M-Pesa", tone: "waiting" };
    case "needs_review":
      return { label: "Being checked", tone: "warning" };
    default: {
      const _exhaustive: never = status;
      return { label: String(_exhaustive), tone: "neutral" };
    }
  }
}

/** One sentence on where the money is, for the person it is going to (`own`) or anyone else. */
export function describePayout(payout: Payout, own: boolean): string {
  const to = own ? `your M-Pesa ${formatMsisdn(payout.phoneNumber)}` : formatMsisdn(payout.phoneNumber);
  const amount = formatKes(payout.amount);
  switch (payout.status) {
    case "queued":
      return payout.awaitingApproval
        ? `${amount} is ready for ${to}. An admin approves each payout before it is sent.`
        : `${amount} is queued to be sent to ${to}.`;
    case "submitted":
    case "unknown":
      return `${amount} has been sent to M-Pesa for ${to}; we are waiting for M-Pesa to confirm it.`;
    case "succeeded":
      return `${amount} was paid to ${to}.`;
    case "failed":
      return `M-Pesa did not complete the payment of ${amount} to ${to}. The money is still owed: our team retries it.`;
    case "needs_review":
      return `Our team is checking the payment of ${amount} to ${to} by hand. The money is still owed.`;
    default: {
      const _exhaustive: never = payout.status;
      return _exhaustive;
    }
  }
}

export function describeRefund(refund: Refund, own: boolean): string {
  const to = own ? `your M-Pesa ${formatMsisdn(refund.phoneNumber)}` : formatMsisdn(refund.phoneNumber);
  const amount = formatKes(refund.amount);
  switch (refund.status) {
    case "queued":
      return `${amount} is being refunded to ${to} by reversing the payment.`;
    case "submitted":
    case "unknown":
      return `The reversal of ${amount} to ${to} is with M-Pesa; we are waiting for M-Pesa to confirm it.`;
    case "succeeded":
      return `${amount} was refunded to ${to}.`;
    case "failed":
      return `M-Pesa did not complete the refund of ${amount} to ${to}. The money is still owed: our team retries it.`;
    case "needs_review":
      return `Our team is checking the refund of ${amount} to ${to} by hand. The money is still owed.`;
    default: {
      const _exhaustive: never = refund.status;
      return _exhaustive;
    }
  }
}

/**
 * Plain words for the admin review queue: which decisions each item allows (as the server's state
 * machines do: suspense money is held as the fee or refunded; a failed payout or refund is sent again
 * or found paid; one under review may also be found failed; a statement discrepancy as its actions
 * say), what each decision does, said before the admin confirms, and how long an item has waited.
 */
import type { DiscrepancyAction, ReconciliationDiscrepancy } from "../admin/reconciliation-api.ts";
import type {
  MoneyOutKind,
  PaymentReviewItem,
  PayoutView,
  RefundView,
  ReviewPayment,
} from "../admin/review-api.ts";
import { formatKes, formatMsisdn } from "./format.ts";
import { discrepancyDecisionWords } from "./reconciliation-words.ts";

export type Decision =
  | { type: "hold_fee"; payment: ReviewPayment }
  | { type: "refund_payment"; payment: ReviewPayment }
  | { type: "retry" | "mark_paid" | "mark_failed"; kind: MoneyOutKind; item: PayoutView | RefundView }
  | { type: "discrepancy"; action: DiscrepancyAction; discrepancy: ReconciliationDiscrepancy }
  | { type: "close_review"; review: PaymentReviewItem };

export interface DecisionWords {
  /** The button on the item. */
  label: string;
  title: string;
  confirm: string;
  busy: string;
  /** What happens, said in the dialog before the admin confirms. */
  effect: string;
  /** The toast once it is done. */
  done: string;
}

/** Suspense money can pay the fee only when exactly the fee is held; it can always go back. */
export function paymentDecisions(payment: ReviewPayment): Decision[] {
  if (payment.inSuspense <= 0) return [];
  const refund: Decision = { type: "refund_payment", payment };
  return payment.inSuspense === payment.amount ? [{ type: "hold_fee", payment }, refund] : [refund];
}

/** What the money of a payment under review is doing, beside its decisions. */
export function suspenseNote(payment: ReviewPayment): string {
  if (payment.inSuspense <= 0)
    return "No money from this payment is held: nothing to decide until it shows on the M-Pesa statement.";
  const held = `M-Pesa took ${formatKes(payment.inSuspense)}; it pays for nothing until you decide`;
  return payment.inSuspense === payment.amount
    ? `${held}: hold it as the booking fee, or refund it.`
    : `${held}. It is not the fee of ${formatKes(payment.amount)}, so it can only be refunded.`;
}

export function moneyOutDecisions(kind: MoneyOutKind, item: PayoutView | RefundView): Decision[] {
  if (item.status === "failed")
    return [
      { type: "retry", kind, item },
      { type: "mark_paid", kind, item },
    ];
  if (item.status === "needs_review")
    return [
      { type: "retry", kind, item },
      { type: "mark_paid", kind, item },
      { type: "mark_failed", kind, item },
    ];
  return [];
}

/** What the server says may be decided on a statement discrepancy now. */
export function discrepancyDecisions(discrepancy: ReconciliationDiscrepancy): Decision[] {
  return discrepancy.actions.map((action) => ({ type: "discrepancy", action, discrepancy }));
}

export function itemTitle(kind: "payment" | MoneyOutKind, amount: number, phone: string): string {
  const who = formatMsisdn(phone);
  if (kind === "payment") return `Payment of ${formatKes(amount)} from ${who}`;
  return `${kind === "payout" ? "Payout" : "Refund"} of ${formatKes(amount)} to ${who}`;
}

/**
 * A payment's review item is closed on its own only when its money is not in suspense (that is
 * decided on the payment): the admin looked for it on the statement and says what was found.
 */
export function paymentReviewDecisions(
  review: PaymentReviewItem,
  payment: ReviewPayment | undefined,
): Decision[] {
  return payment && paymentDecisions(payment).length > 0 ? [] : [{ type: "close_review", review }];
}

export function decisionWords(decision: Decision): DecisionWords {
  if (decision.type === "discrepancy") return discrepancyDecisionWords(decision.action, decision.discrepancy);
  if (decision.type === "close_review")
    return {
      label: "Close the check",
      title: "Close this payment check?",
      confirm: "Close the check",
      busy: "Closing…",
      effect:
        "Only once you have looked for this money on the M-Pesa statement: the check leaves this list with your note, and no money moves. Money that arrives later is still found by statement reconciliation.",
      done: "Payment check closed.",
    };
  if (decision.type === "hold_fee" || decision.type === "refund_payment") {
    const { payment } = decision;
    const held = formatKes(payment.inSuspense);
    if (decision.type === "hold_fee")
      return {
        label: "Hold the fee",
        title: "Hold the booking fee with this payment?",
        confirm: "Hold the fee",
        busy: "Holding…",
        effect: `${held} moves from suspense to escrow: the booking fee is held and the booking opens to technicians.`,
        done: `${held} held as the booking fee.`,
      };
    const receipt = payment.mpesaReceiptNumber ? ` (receipt ${payment.mpesaReceiptNumber})` : "";
    return {
      label: "Refund",
      title: "Refund this payment?",
      confirm: "Refund",
      busy: "Refunding…",
      effect: `${held} moves from suspense to a refund, sent to ${formatMsisdn(payment.phoneNumber)} by reversing the payment${receipt}.`,
      done: `Refund of ${held} queued: it is sent by reversing the payment.`,
    };
  }
  const { kind, item } = decision;
  const noun = kind === "payout" ? "payout" : "refund";
  const amount = formatKes(item.amount);
  const to = formatMsisdn(item.phoneNumber);
  switch (decision.type) {
    case "retry":
      return {
        label: "Send again",
        title: `Send this ${noun} again?`,
        confirm: "Send again",
        busy: "Queuing…",
        effect:
          `${amount} is sent to ${to} again, as a fresh M-Pesa ${kind === "payout" ? "payment" : "reversal"}.` +
          (item.status === "needs_review"
            ? " Check the M-Pesa statement first: if the earlier attempt arrived, this pays twice."
            : ""),
        done: `${capitalised(noun)} of ${amount} queued to send again.`,
      };
    case "mark_paid":
      return {
        label: "Mark as paid",
        title: `Mark this ${noun} as paid?`,
        confirm: "Mark as paid",
        busy: "Saving…",
        effect: `Only if the M-Pesa statement shows ${amount} reached ${to}: it is recorded as paid and nothing more is sent.`,
        done: `${capitalised(noun)} of ${amount} recorded as paid.`,
      };
    case "mark_failed":
      return {
        label: "Mark as failed",
        title: `Mark this ${noun} as failed?`,
        confirm: "Mark as failed",
        busy: "Saving…",
        effect: `Only if the M-Pesa statement shows ${amount} did not reach ${to}: it is recorded as failed and stays on this list, still owed, to send again.`,
        done: `${capitalised(noun)} of ${amount} recorded as failed: it stays here to send again.`,
      };
    default: {
      const _exhaustive: never = decision;
      return _exhaustive;
    }
  }
}

/** Why M-Pesa or the books put it here, with Daraja's result code when there is one. */
export function failureWording(item: {
  failureReason: string | null;
  resultDesc: string | null;
  resultCode: string | null;
}): string | null {
  const words = item.failureReason ?? item.resultDesc;
  if (!words) return null;
  const code = item.resultCode;
  return code !== null && code !== "0" && !words.includes(code) ? `${words} (code ${code})` : words;
}

/** How long an item has waited: "just now", "12 min", "5 h", "3 days". */
export function waitedFor(since: string, now: number): string {
  const ms = now - new Date(since).getTime();
  if (!Number.isFinite(ms)) return "—";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

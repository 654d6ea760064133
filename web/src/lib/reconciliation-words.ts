/**
 * Plain words for statement reconciliation: money as a statement carries it (cents), what each kind
 * of discrepancy means and what to do about it, where an item stands, and what each decision on
 * one does, said before the admin confirms.
 */
import type {
  DiscrepancyAction,
  ReconciliationDiscrepancy,
  ReconciliationRunView,
} from "../admin/reconciliation-api.ts";
import type { StatusWords } from "./words.ts";

type Kind = ReconciliationDiscrepancy["kind"];

/** `123456` → `KES 1,234.56`; a statement's amounts carry cents, so they are always shown. */
export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined || !Number.isFinite(cents)) return "—";
  const abs = Math.abs(Math.round(cents));
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+$)/g, ",");
  return `${cents < 0 ? "-" : ""}KES ${whole}.${String(abs % 100).padStart(2, "0")}`;
}

/** The order and titles of the review queue's sections, one per kind. */
export const KIND_SECTIONS: readonly { kind: Kind; title: string }[] = [
  { kind: "missing_here", title: "On the statement, not in our books" },
  { kind: "missing_there", title: "In our books, not on the statement" },
  { kind: "amount_differs", title: "Amounts that differ" },
  { kind: "status_differs", title: "Statuses that differ" },
];

/** A discrepancy's kind in a few words (a statement line's direction says which way money went). */
export function kindWords(d: Pick<ReconciliationDiscrepancy, "kind" | "lineKind">): string {
  switch (d.kind) {
    case "missing_here":
      if (d.lineKind === "payment_in") return "Paid in, not in our books";
      if (d.lineKind === "payout_out" || d.lineKind === "reversal_out") return "Paid out, not by us";
      return "On the statement, not in our books";
    case "missing_there":
      return "In our books, not on the statement";
    case "amount_differs":
      return "Amounts differ";
    case "status_differs":
      return "Happened on one side only";
    default: {
      const _exhaustive: never = d.kind;
      return _exhaustive;
    }
  }
}

/** One line naming the item: its money, and whose it is. */
export function discrepancyTitle(
  d: Pick<
    ReconciliationDiscrepancy,
    "kind" | "lineKind" | "amountCents" | "otherParty" | "receipt" | "recordType"
  >,
): string {
  const amount = formatCents(d.amountCents);
  const receipt = d.receipt ?? "without a receipt";
  switch (d.kind) {
    case "missing_here":
      return d.lineKind === "payment_in"
        ? `${amount} paid in by ${d.otherParty ?? "an unknown payer"}`
        : `${amount} paid out to ${d.otherParty ?? "someone unknown"}`;
    case "missing_there":
      return `Our ${d.recordType ?? "record"} of ${amount}, not on the statement`;
    case "amount_differs":
      return `Receipt ${receipt}: amounts differ`;
    case "status_differs":
      return `Receipt ${receipt}: happened on one side only`;
    default: {
      const _exhaustive: never = d.kind;
      return _exhaustive;
    }
  }
}

/** What to do about it, beside its decisions. */
export function kindAdvice(d: Pick<ReconciliationDiscrepancy, "kind" | "lineKind" | "state">): string {
  if (d.state !== "open") return "Decided: nothing more to do.";
  switch (d.kind) {
    case "missing_here":
      return d.lineKind === "payment_in"
        ? "M-Pesa has this money and our books do not: attach it to the booking it was for, or refund it."
        : "Money left the shortcode without us: find who sent it (a person at the portal?), then resolve with a note.";
    case "missing_there":
      return "Check the statement's period and ask M-Pesa for the transaction's status, then resolve with what you found.";
    case "amount_differs":
      return "Both have it, for different amounts: resolve with a note (and refund the difference if it is owed).";
    case "status_differs":
      return "Settle the payout or refund first (on this list), then resolve this with a note.";
    default: {
      const _exhaustive: never = d.kind;
      return _exhaustive;
    }
  }
}

export function discrepancyStateWords(
  d: Pick<ReconciliationDiscrepancy, "state" | "resolution">,
): StatusWords {
  if (d.state === "open") return { label: "Open", tone: "warning" };
  switch (d.resolution) {
    case "attached":
      return { label: "Attached to a booking", tone: "success" };
    case "refunded":
      return { label: "Refunded", tone: "success" };
    case "superseded":
      return { label: "Found again by a later run", tone: "neutral" };
    default:
      return { label: "Resolved with a note", tone: "success" };
  }
}

/** Whether the statement and the books agree once Safaricom's charges and others' lines are counted. */
export function balanceVerdict(run: Pick<ReconciliationRunView, "balances">): StatusWords {
  const unexplained = run.balances.unexplainedCents;
  if (unexplained === 0) return { label: "The books agree with the statement", tone: "success" };
  const way = unexplained > 0 ? "more on the statement" : "more in our books";
  return { label: `${formatCents(Math.abs(unexplained))} unexplained (${way})`, tone: "warning" };
}

export interface DiscrepancyDecisionWords {
  label: string;
  title: string;
  confirm: string;
  busy: string;
  effect: string;
  done: string;
}

export function discrepancyDecisionWords(
  action: DiscrepancyAction,
  d: Pick<ReconciliationDiscrepancy, "amountCents" | "receipt" | "otherParty">,
): DiscrepancyDecisionWords {
  const amount = formatCents(d.amountCents);
  const receipt = d.receipt ? ` (receipt ${d.receipt})` : "";
  const payer = d.otherParty ?? "the payer";
  switch (action) {
    case "attach":
      return {
        label: "Attach to a booking",
        title: "Attach this money to a booking?",
        confirm: "Attach",
        busy: "Attaching…",
        effect: `${amount}${receipt} becomes the booking's payment: its fee is held in escrow and the booking opens to technicians. If the fee is already paid, the money is owed back and refunded.`,
        done: `${amount} attached to the booking.`,
      };
    case "refund":
      return {
        label: "Refund",
        title: "Refund this money?",
        confirm: "Refund",
        busy: "Refunding…",
        effect: `${amount} goes back to ${payer} by reversing the payment${receipt}. It is recorded against the booking given here (else the one its account names).`,
        done: `Refund of ${amount} queued: it is sent by reversing the payment.`,
      };
    case "resolve":
      return {
        label: "Resolve with a note",
        title: "Close this difference with a note?",
        confirm: "Resolve",
        busy: "Saving…",
        effect:
          "No money moves: the difference is closed with your note, for the record. Settle any money first.",
        done: "Difference resolved with your note.",
      };
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}

/** `2026-01-15T00:00:00.000Z`–`…` as the period a run covered; null: the statement's own. */
export function periodWords(
  period: ReconciliationRunView["period"],
  format: (iso: string) => string,
): string {
  return period ? `${format(period.from)} – ${format(period.to)}` : "The statement's own lines";
}

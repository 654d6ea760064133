/**
 * The organisations' statement: every movement of a Utility Account, journalled as the M-Pesa
 * organisation portal prints it, so `GET /__emulator/statement.csv` can be reconciled like a real
 * export. An STK payment is one line in; a B2C payout one line out and, when it costs something,
 * a charge line on the same receipt; a reversal one line out linked to the receipt it reverses.
 *
 * Wording follows what public code reading real exports shows (see src/reconciliation/
 * statement-kind.ts): `Pay Bill from 25470****149 - JOHN DOE Acc. BK1`, Reason Type `Pay Utility`;
 * `Business Payment to … via API`, Reason Type `Business Payment to Customer via API`; charges as
 * `Business Payment Charge`. Phones are masked as the portal masks them (first five digits, `****`,
 * last three), names with middle names masked. The reversal wording is ours: no public sample shows it.
 *
 * Charges are paid from the Charges Paid Account, not the Utility Account, so a charge line has no
 * Balance. Bounded: the most recent MAX_STATEMENT_LINES lines, all organisations together.
 */
import type { StatementLine } from "../reconciliation/statement.ts";
import type { MpesaTransaction } from "./transactions.ts";

export const MAX_STATEMENT_LINES = 100_000;

export type JournalLine = Omit<StatementLine, "lineNumber" | "kind"> & { shortcode: string };

/** `254708374149` → `25470****149`. */
export function portalMaskedMsisdn(msisdn: string): string {
  return `${msisdn.slice(0, 5)}****${msisdn.slice(-3)}`;
}

/** `JANE WANJIKU DOE` → `JANE **** DOE`; one or two names stay as they are. */
function portalName(name: string): string {
  const parts = name.trim().split(/\s+/);
  return parts.length > 2 ? `${parts[0]} **** ${parts[parts.length - 1]}` : parts.join(" ");
}

const otherPartyOf = (t: MpesaTransaction) =>
  `${portalMaskedMsisdn(t.msisdn)} - ${portalName(t.customerName)}`;

/** Details and Reason Type per B2C CommandID, and the words of its charge line. */
const B2C_WORDING: Record<string, { details: string; reasonType: string; charge: string }> = {
  BusinessPayment: {
    details: "Business Payment to",
    reasonType: "Business Payment to Customer via API",
    charge: "Business Payment Charge",
  },
  SalaryPayment: {
    details: "Salary Payment to",
    reasonType: "Salary Payment via API",
    charge: "Salary Payment Charge",
  },
  PromotionPayment: {
    details: "Promotion Payment to",
    reasonType: "Promotion Payment via API",
    charge: "Promotion Payment Charge",
  },
};

export const REVERSAL_REASON_TYPE = "Reversal";

const cents = (kes: number) => Math.round(kes * 100);

/** The statement lines of one transaction, given the Utility Account balance after it (in cents). */
export function statementLinesOf(
  t: MpesaTransaction,
  utilityCentsAfter: number,
  accountReference = "",
): JournalLine[] {
  const base = {
    shortcode: t.shortcode,
    receipt: t.receipt,
    completedAt: t.completedAt.toISOString(),
    initiatedAt: t.initiatedAt.toISOString(),
    status: "Completed",
    balanceCents: utilityCentsAfter,
    otherParty: otherPartyOf(t),
    linkedTransactionId: "",
    accountNumber: "",
  };
  switch (t.kind) {
    case "stk_payment": {
      const till = t.commandId === "CustomerBuyGoodsOnline";
      return [
        {
          ...base,
          details: `${till ? "Merchant Payment" : "Pay Bill"} from ${base.otherParty}${till ? "" : ` Acc. ${accountReference}`}`,
          paidInCents: cents(t.amount),
          withdrawnCents: 0,
          reasonType: till ? "Merchant Payment" : "Pay Utility",
          accountNumber: accountReference,
        },
      ];
    }
    case "b2c_payment": {
      const wording =
        B2C_WORDING[t.commandId] ?? (B2C_WORDING.BusinessPayment as (typeof B2C_WORDING)[string]);
      const payout: JournalLine = {
        ...base,
        details: `${wording.details} ${base.otherParty} via API`,
        paidInCents: 0,
        withdrawnCents: cents(t.amount),
        reasonType: wording.reasonType,
      };
      if (t.chargeKes <= 0) return [payout];
      const charge: JournalLine = {
        ...base,
        details: wording.charge,
        paidInCents: 0,
        withdrawnCents: cents(t.chargeKes),
        balanceCents: null,
        reasonType: wording.charge,
        otherParty: "",
        linkedTransactionId: t.receipt,
      };
      return [payout, charge];
    }
    case "reversal":
      return [
        {
          ...base,
          details: `Reversal of transaction ${t.originalReceipt ?? ""} to ${base.otherParty}`,
          paidInCents: 0,
          withdrawnCents: cents(t.amount),
          reasonType: REVERSAL_REASON_TYPE,
          linkedTransactionId: t.originalReceipt ?? "",
        },
      ];
    default: {
      const _exhaustive: never = t.kind;
      return _exhaustive;
    }
  }
}

/** The journal, oldest first; the oldest lines go once there are more than MAX_STATEMENT_LINES. */
export class StatementJournal {
  #lines: JournalLine[] = [];
  #start = 0;
  readonly #max: number;

  constructor(max = MAX_STATEMENT_LINES) {
    this.#max = max;
  }

  record(t: MpesaTransaction, utilityCentsAfter: number, accountReference?: string): void {
    for (const line of statementLinesOf(t, utilityCentsAfter, accountReference)) this.#lines.push(line);
    if (this.#lines.length - this.#start > this.#max) this.#start = this.#lines.length - this.#max;
    // Drop the forgotten head now and then, not on every line.
    if (this.#start >= this.#max) {
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
  }

  /** Lines of `shortcode` completed at or after `from` and before `to`, oldest first. */
  list(filter: { shortcode: string; from?: Date; to?: Date }): JournalLine[] {
    const from = filter.from?.toISOString();
    const to = filter.to?.toISOString();
    const out: JournalLine[] = [];
    for (let i = this.#start; i < this.#lines.length; i += 1) {
      const line = this.#lines[i] as JournalLine;
      if (line.shortcode !== filter.shortcode) continue;
      if (from !== undefined && line.completedAt < from) continue;
      if (to !== undefined && line.completedAt >= to) continue;
      out.push(line);
    }
    return out;
  }

  get size(): number {
    return this.#lines.length - this.#start;
  }

  clear(): void {
    this.#lines = [];
    this.#start = 0;
  }
}

/**
 * What a statement line is, from its `Details` and `Reason Type` and which way the money moved.
 *
 * The wording is that of the organisation portal's export as found in public code that reads real
 * exports (there is no public specification):
 *  - money in: Details `Pay Bill from 25472****176 - JOYCE NJAGI Acc. …`, `Pay Bill Online from …`;
 *    Reason Types `Pay Utility` (STK), `Pay Bill Online` (app), `Pay Utility with OD via STK` /
 *    `… OD Online` (paid with Fuliza), `Standing Order Pay Bill` (Ratiba); till and customer-payment
 *    wordings (`Merchant Payment`, `Customer Payment`, `Lipa na M-Pesa`, `Buy Goods`);
 *  - money out to a person: Details `Business Payment to 2547… - NAME via API`, Mifos' `Payment to …`
 *    with Reason Type `Business Payment to Customer`; B2C results' `Business Payment to Customer via
 *    API`, `Salary Payment via API`, `Promotion Payment via API`;
 *  - charges: a separate line on the same receipt, Details `Pay Bill Charge`, `Business Payment
 *    Charge`, `Withdrawal Charge` (while `… Withdrawal Charge Paid via API` is a B2C payment whose
 *    recipient's withdrawal fee the business pays: a payout, not a charge);
 *  - reversals: `Reversal …`, the reversed receipt in `Linked Transaction ID`;
 *  - settlements to the organisation's own accounts (`Utility Account to Organization Settlement
 *    Account`) and anything unrecognised are `other`.
 * Matching ignores case and spacing; an unknown wording is `other`, never a guess.
 */
import type { StatementLine, StatementLineKind } from "./statement.ts";

export type ClassifiableLine = Pick<
  StatementLine,
  "details" | "reasonType" | "paidInCents" | "withdrawnCents"
>;

/** `charge`/`charges`/`fee`, but not a recipient's charge the business paid (`Charge Paid`). */
const CHARGE = /\b(?:charges?|fee)\b(?!\s+paid)/;
const REVERSAL = /\brevers(?:al|ed)\b/;
const PAYOUT =
  /\b(?:business payment to|salary payment|promotion payment|payment to customer|b2c)\b|^payment to\b/;
const PAYMENT_IN =
  /\b(?:pay bill|paybill|pay utility|lipa na m-?pesa|customer payment|merchant payment|buy goods|c2b)\b/;

const words = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();

/** Details up to the other party (its first digit or ` - `): a payer's name never decides. */
const headOf = (details: string) => words(details).split(/\d| - /, 1)[0] ?? "";

export function classifyStatementLine(line: ClassifiableLine): StatementLineKind {
  const details = headOf(line.details);
  const reason = words(line.reasonType);
  const says = (pattern: RegExp) => pattern.test(details) || pattern.test(reason);
  const out = line.withdrawnCents > 0;
  const into = line.paidInCents > 0;

  // Charges first: a charge line may keep its transaction's Reason Type (`Pay Utility`).
  if (out && says(CHARGE)) return "charge";
  if (says(REVERSAL)) return out ? "reversal_out" : "other";
  if (out && says(PAYOUT)) return "payout_out";
  if (into && says(PAYMENT_IN) && !/\bpay bill to\b/.test(details)) return "payment_in";
  return "other";
}

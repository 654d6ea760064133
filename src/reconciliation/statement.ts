/**
 * An M-Pesa organisation statement, as read from the portal's CSV export (design:
 * books-and-webhooks.md §1). The contract between the CSV reader (statement-csv.ts), the
 * emulator's export, and the matcher. Amounts are integer cents: a statement carries cents
 * (charges, balances) while our records are whole KES; comparing in cents loses nothing.
 */

/** What a statement line is, from its `Details` / `Reason Type` (classifyStatementLine). */
export type StatementLineKind =
  /** Money in from a customer (Lipa na M-Pesa Online / paybill). Matched to a completed payment. */
  | "payment_in"
  /** Money out to a technician (B2C business payment). Matched to a succeeded payout. */
  | "payout_out"
  /** Money back to a customer (a reversal of a receipt). Matched to a succeeded refund. */
  | "reversal_out"
  /** A Safaricom charge (transaction fee); expected, never ours to record one by one. */
  | "charge"
  /** Anything else (transfers between the organisation's own accounts, settlements, …). */
  | "other";

export interface StatementLine {
  /**
   * 1-based line of the file the line starts on, as an editor shows it (preamble, header and blank
   * lines count; a quoted cell may span lines): errors and reports name it.
   */
  lineNumber: number;
  /** `Receipt No.` as printed (e.g. `SFK3ABCD12`). */
  receipt: string;
  /** `Completion Time`, ISO 8601 UTC. */
  completedAt: string;
  /** `Initiation Time`, ISO 8601 UTC, when the export has it. */
  initiatedAt: string | null;
  details: string;
  /** `Transaction Status` as printed (`Completed`, `Failed`, …). */
  status: string;
  paidInCents: number;
  withdrawnCents: number;
  /** `Balance` after the line, when the export has it. */
  balanceCents: number | null;
  reasonType: string;
  /** `Other Party Info`, e.g. `254712***678 - JANE DOE` or `600000 - MALIPO`. */
  otherParty: string;
  /** `Linked Transaction ID`: for a reversal or a charge, the receipt it belongs to. */
  linkedTransactionId: string;
  /** `A/C No.`: the account reference the payer gave. */
  accountNumber: string;
  kind: StatementLineKind;
}

export interface Statement {
  lines: StatementLine[];
  /** Earliest and latest completion times on the statement (null when it has no lines). */
  period: { from: string; to: string } | null;
  /**
   * The period the export says it covers (its `Time Period:` preamble line: from the start of the
   * first second to the end of the last), when it has one; null otherwise.
   */
  declaredPeriod: { from: string; to: string } | null;
}

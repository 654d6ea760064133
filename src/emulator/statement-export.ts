/**
 * The journal as the organisation portal exports it: a preamble (account holder, shortcode,
 * account, period), the portal's header, newest line first, times in East Africa Time, amounts with
 * thousands separators and Withdrawn negative, RFC 4180 quoting, CRLF line ends.
 */
import { formatAmountCents, formatEatTime } from "../reconciliation/statement-values.ts";
import type { JournalLine } from "./statement.ts";

export const STATEMENT_HEADER = [
  "Receipt No.",
  "Completion Time",
  "Initiation Time",
  "Details",
  "Transaction Status",
  "Paid In",
  "Withdrawn",
  "Balance",
  "Balance Confirmed",
  "Reason Type",
  "Other Party Info",
  "Linked Transaction ID",
  "A/C No.",
] as const;

const quoted = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
const row = (cells: readonly string[]) => cells.map(quoted).join(",");
const amount = (cents: number) => (cents === 0 ? "" : formatAmountCents(cents));

export interface StatementExport {
  shortcode: string;
  organisationName: string;
  /** The period asked for (the lines' own when not given). */
  from: Date | null;
  to: Date | null;
  /** Oldest first, as journalled. */
  lines: JournalLine[];
}

export function statementCsv(statement: StatementExport): string {
  const { lines } = statement;
  const from = statement.from?.toISOString() ?? lines[0]?.completedAt;
  // The portal prints the last second the period includes (`… To 30-11-2026 23:59:59`); `to` is
  // exclusive, so that is the second before it.
  const to =
    (statement.to ? new Date(statement.to.getTime() - 1).toISOString() : undefined) ??
    lines[lines.length - 1]?.completedAt;
  const records = [
    row(["Account Holder:", statement.organisationName]),
    row(["Short Code:", statement.shortcode]),
    row(["Account:", "Utility Account"]),
    row(["Time Period:", "From", from ? formatEatTime(from) : "", "To", to ? formatEatTime(to) : ""]),
    "",
    row(STATEMENT_HEADER),
  ];
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] as JournalLine;
    records.push(
      row([
        line.receipt,
        formatEatTime(line.completedAt),
        line.initiatedAt === null ? "" : formatEatTime(line.initiatedAt),
        line.details,
        line.status,
        amount(line.paidInCents),
        amount(-line.withdrawnCents),
        line.balanceCents === null ? "" : formatAmountCents(line.balanceCents),
        "true",
        line.reasonType,
        line.otherParty,
        line.linkedTransactionId,
        line.accountNumber,
      ]),
    );
  }
  return `${records.join("\r\n")}\r\n`;
}

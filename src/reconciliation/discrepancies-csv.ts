/**
 * A run's discrepancies as a CSV download (PURE) for the finance team's spreadsheet: one row per
 * discrepancy, RFC 4180 quoting, CRLF. Text that a spreadsheet would run as a formula (`=`, `+`,
 * `-`, `@` first: a statement's party or a note may carry one) is written with a leading `'`.
 */
import type { ReconciliationDiscrepancy, ReconciliationRunView } from "./views.ts";

const HEADER = [
  "Run",
  "Discrepancy",
  "Kind",
  "State",
  "Resolution",
  "Statement Line",
  "Receipt No.",
  "Amount (KES)",
  "Other Party Info",
  "A/C No.",
  "Completion Time",
  "Our Record",
  "Probable Attempt",
  "Detail",
  "Resolved By",
  "Resolved At",
  "Note",
] as const;

function text(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const amount = (cents: number | null) =>
  cents === null
    ? ""
    : `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;

export function discrepanciesCsv(
  run: ReconciliationRunView,
  items: readonly ReconciliationDiscrepancy[],
): string {
  const rows = [HEADER.join(",")];
  for (const d of items)
    rows.push(
      [
        text(run.id),
        text(d.id),
        text(d.kind),
        text(d.state),
        text(d.resolution),
        d.lineNumber === null ? "" : String(d.lineNumber),
        text(d.receipt),
        amount(d.amountCents),
        text(d.otherParty),
        text(d.accountNumber),
        text(d.completedAt),
        text(d.recordId === null ? null : `${d.recordType}:${d.recordId}`),
        text(d.candidateTransactionId),
        text(d.detail),
        text(d.resolvedBy),
        text(d.resolvedAt),
        text(d.resolutionNote),
      ].join(","),
    );
  return `${rows.join("\r\n")}\r\n`;
}

/** A statement export's header and two lines, as the portal writes them, for the reader's tests. */

export const HEADER = [
  "Receipt No.",
  "Completion Time",
  "Initiation Time",
  "Details",
  "Transaction Status",
  "Paid In",
  "Withdrawn",
  "Balance",
  "Reason Type",
  "Other Party Info",
  "Linked Transaction ID",
  "A/C No.",
];
export const PAYMENT = [
  "SKL1ABC2DE",
  "30-11-2026 14:05:10",
  "30-11-2026 14:05:02",
  "Pay Bill from 25471****678 - JANE **** DOE Acc. BKG-7",
  "Completed",
  "1500.00",
  "",
  "11500.00",
  "Pay Utility",
  "25471****678 - JANE **** DOE",
  "",
  "BKG-7",
];
export const PAYOUT = [
  "SKL1ABC2DF",
  "30-11-2026 15:00:00",
  "30-11-2026 14:59:58",
  "Business Payment to 25472****123 - PETER OTIENO via API",
  "Completed",
  "",
  "-900.00",
  "10600.00",
  "Business Payment to Customer via API",
  "25472****123 - PETER OTIENO",
  "",
  "",
];

export const csv = (rows: string[][], eol = "\n") => rows.map((r) => r.join(",")).join(eol) + eol;
export const withCell = (row: string[], index: number, value: string) =>
  row.map((cell, i) => (i === index ? value : cell));

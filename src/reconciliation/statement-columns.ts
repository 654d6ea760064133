/**
 * The statement's columns: each as the portal titles it, whether a file must have it, and the header
 * spellings accepted (compared lowercased, without dots, colons, a unit in brackets or extra spaces).
 */
import { StatementInvalidError } from "./statement-error.ts";

export type Column =
  | "receipt"
  | "completedAt"
  | "initiatedAt"
  | "details"
  | "status"
  | "paidIn"
  | "withdrawn"
  | "balance"
  | "reasonType"
  | "otherParty"
  | "linkedTransactionId"
  | "accountNumber";

/** Each column's header as the portal prints it, and the variants accepted (normalised). */
export const COLUMNS: Record<Column, { title: string; required: boolean; names: string[] }> = {
  receipt: { title: "Receipt No.", required: true, names: ["receipt no", "receipt number", "receipt"] },
  completedAt: { title: "Completion Time", required: true, names: ["completion time", "completion date"] },
  initiatedAt: { title: "Initiation Time", required: false, names: ["initiation time", "initiation date"] },
  details: { title: "Details", required: true, names: ["details", "transaction details"] },
  status: { title: "Transaction Status", required: true, names: ["transaction status", "status"] },
  paidIn: { title: "Paid In", required: true, names: ["paid in"] },
  withdrawn: { title: "Withdrawn", required: true, names: ["withdrawn"] },
  balance: { title: "Balance", required: false, names: ["balance"] },
  reasonType: { title: "Reason Type", required: false, names: ["reason type"] },
  otherParty: {
    title: "Other Party Info",
    required: false,
    names: ["other party info", "other party information", "other party"],
  },
  linkedTransactionId: {
    title: "Linked Transaction ID",
    required: false,
    names: ["linked transaction id", "linked transaction"],
  },
  accountNumber: {
    title: "A/C No.",
    required: false,
    names: ["a/c no", "ac no", "account no", "account number"],
  },
};

const COLUMN_BY_NAME = new Map<string, Column>(
  (Object.entries(COLUMNS) as [Column, { names: string[] }][]).flatMap(([column, { names }]) =>
    names.map((name) => [name, column] as const),
  ),
);

/** `" Receipt No. "` → `receipt no`; `Paid In (KSHs)` → `paid in`. */
function normaliseHeader(cell: string): string {
  return cell
    .replace(/^\uFEFF/, "")
    .toLowerCase()
    .replace(/\([^)]*\)/g, " ")
    .replace(/[.:]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export type Layout = Partial<Record<Column, number>>;

export function layoutOf(cells: string[], line: number): Layout {
  const layout: Layout = {};
  cells.forEach((cell, index) => {
    const column = COLUMN_BY_NAME.get(normaliseHeader(cell));
    if (column === undefined) return;
    if (layout[column] !== undefined)
      throw new StatementInvalidError(
        line,
        "duplicate_column",
        `the header names ${COLUMNS[column].title} twice`,
      );
    layout[column] = index;
  });
  return layout;
}

/** The header is the first record naming both Receipt No. and Completion Time. */
export function isHeader(cells: string[]): boolean {
  const columns = new Set(cells.map((cell) => COLUMN_BY_NAME.get(normaliseHeader(cell))));
  return columns.has("receipt") && columns.has("completedAt");
}

/** The required columns `layout` lacks. */
export function missingColumns(layout: Layout): Column[] {
  return (Object.keys(COLUMNS) as Column[]).filter((c) => COLUMNS[c].required && layout[c] === undefined);
}

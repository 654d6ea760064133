/**
 * Reads the M-Pesa organisation portal's statement export (CSV) into a Statement. Pure: text in,
 * lines out, or a StatementInvalidError naming the line and the problem — never part of a file.
 *
 * Tolerated, because real exports do it: a byte-order mark; CRLF; RFC 4180 quoting; preamble lines
 * before the header (`Account Holder:`, `Time Period:` …; the header is the first line naming
 * `Receipt No.` and `Completion Time`); columns in any order, extra columns (`Balance Confirmed`,
 * `Currency` …), header variants (case, spacing, trailing dots or colons, a unit such as
 * `(KSHs)`); thousands separators; Withdrawn written negative (`-500.00`); empty cells; blank lines.
 * Times are the portal's local time (EAT) in year-first or day-first form, stored as ISO UTC.
 */
import { AppError } from "../errors.ts";
import { CsvSyntaxError, readCsvRecords } from "./csv-records.ts";
import type { Statement, StatementLine } from "./statement.ts";
import { classifyStatementLine } from "./statement-kind.ts";
import { parseAmountCents, parseEatTime } from "./statement-values.ts";

export { type ClassifiableLine, classifyStatementLine } from "./statement-kind.ts";

/** At most this many lines after the header. */
export const STATEMENT_MAX_LINES = 200_000;
/** At most this many characters (a 200,000-line export is about 40 MB). */
export const STATEMENT_MAX_CHARS = 64 * 1024 * 1024;
/** The header must come within this many records (the preamble is a handful of lines). */
const MAX_PREAMBLE = 50;

export type StatementProblem =
  | "empty"
  | "too_large"
  | "too_many_lines"
  | "unterminated_quote"
  | "text_after_quote"
  | "no_header"
  | "missing_column"
  | "duplicate_column"
  | "too_many_cells"
  | "missing_value"
  | "bad_amount"
  | "bad_time"
  | "both_amounts";

/** A statement file that cannot be read; `line` is the file's 1-based line (null: the whole file). */
export class StatementInvalidError extends AppError {
  readonly line: number | null;
  readonly problem: StatementProblem;
  constructor(line: number | null, problem: StatementProblem, message: string) {
    super("STATEMENT_INVALID", line === null ? message : `Statement line ${line}: ${message}`, {
      line,
      problem,
    });
    this.name = "StatementInvalidError";
    this.line = line;
    this.problem = problem;
  }
}

type Column =
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
const COLUMNS: Record<Column, { title: string; required: boolean; names: string[] }> = {
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

type Layout = Partial<Record<Column, number>>;

function layoutOf(cells: string[], line: number): Layout {
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
function isHeader(cells: string[]): boolean {
  const columns = new Set(cells.map((cell) => COLUMN_BY_NAME.get(normaliseHeader(cell))));
  return columns.has("receipt") && columns.has("completedAt");
}

export function parseStatement(text: string): Statement {
  if (text.length > STATEMENT_MAX_CHARS)
    throw new StatementInvalidError(
      null,
      "too_large",
      `the file is larger than ${STATEMENT_MAX_CHARS} characters`,
    );
  const body = text.replace(/^\uFEFF/, "");
  if (body.trim() === "") throw new StatementInvalidError(null, "empty", "the file is empty");

  const records = readRecords(body);
  const headerIndex = records.slice(0, MAX_PREAMBLE).findIndex((r) => isHeader(r.cells));
  if (headerIndex < 0)
    throw new StatementInvalidError(
      null,
      "no_header",
      `no header row naming Receipt No. and Completion Time in the first ${MAX_PREAMBLE} lines`,
    );
  const header = records[headerIndex] as (typeof records)[number];
  const layout = layoutOf(header.cells, header.line);
  const missing = (Object.keys(COLUMNS) as Column[]).filter(
    (c) => COLUMNS[c].required && layout[c] === undefined,
  );
  if (missing.length > 0)
    throw new StatementInvalidError(
      header.line,
      "missing_column",
      `the header lacks ${missing.map((c) => COLUMNS[c].title).join(", ")}`,
    );

  const data = records.slice(headerIndex + 1);
  if (data.length > STATEMENT_MAX_LINES)
    throw new StatementInvalidError(null, "too_many_lines", `more than ${STATEMENT_MAX_LINES} lines`);
  const lines: StatementLine[] = [];
  for (const record of data) {
    if (record.cells.every((cell) => cell.trim() === "")) continue;
    lines.push(lineOf(record.cells, record.line, layout, header.cells.length));
  }
  return { lines, period: periodOf(lines) };
}

function readRecords(body: string) {
  try {
    return readCsvRecords(body, STATEMENT_MAX_LINES + MAX_PREAMBLE + 1);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    if (error.problem === "too_many_records")
      throw new StatementInvalidError(null, "too_many_lines", `more than ${STATEMENT_MAX_LINES} lines`);
    const message =
      error.problem === "unterminated_quote" ? "a quoted cell never closes" : "text follows a closing quote";
    throw new StatementInvalidError(error.line, error.problem, message);
  }
}

function lineOf(cells: string[], line: number, layout: Layout, width: number): StatementLine {
  if (cells.length > width && cells.slice(width).some((cell) => cell.trim() !== ""))
    throw new StatementInvalidError(
      line,
      "too_many_cells",
      `${cells.length} cells, but the header has ${width}`,
    );
  const cell = (column: Column) => {
    const index = layout[column];
    return index === undefined ? "" : (cells[index] ?? "").trim();
  };
  const required = (column: Column) => {
    const value = cell(column);
    if (value === "")
      throw new StatementInvalidError(line, "missing_value", `${COLUMNS[column].title} is empty`);
    return value;
  };
  const time = (column: Column, value: string) => {
    const iso = parseEatTime(value);
    if (iso === null)
      throw new StatementInvalidError(
        line,
        "bad_time",
        `${COLUMNS[column].title} "${value}" is not a date and time`,
      );
    return iso;
  };
  const amount = (column: Column): number | null => {
    const value = cell(column);
    if (value === "") return null;
    const cents = parseAmountCents(value);
    if (cents === null)
      throw new StatementInvalidError(
        line,
        "bad_amount",
        `${COLUMNS[column].title} "${value}" is not an amount`,
      );
    return cents;
  };

  const receipt = required("receipt");
  const completedAt = time("completedAt", required("completedAt"));
  const initiated = cell("initiatedAt");
  const paidInCents = amount("paidIn") ?? 0;
  if (paidInCents < 0)
    throw new StatementInvalidError(line, "bad_amount", `Paid In "${cell("paidIn")}" is negative`);
  const withdrawnCents = Math.abs(amount("withdrawn") ?? 0);
  if (paidInCents !== 0 && withdrawnCents !== 0)
    throw new StatementInvalidError(line, "both_amounts", "the line has both Paid In and Withdrawn");

  const fields = {
    lineNumber: line,
    receipt,
    completedAt,
    initiatedAt: initiated === "" ? null : time("initiatedAt", initiated),
    details: cell("details"),
    status: cell("status"),
    paidInCents,
    withdrawnCents,
    balanceCents: amount("balance"),
    reasonType: cell("reasonType"),
    otherParty: cell("otherParty"),
    linkedTransactionId: cell("linkedTransactionId"),
    accountNumber: cell("accountNumber"),
  };
  return { ...fields, kind: classifyStatementLine(fields) };
}

function periodOf(lines: StatementLine[]): Statement["period"] {
  if (lines.length === 0) return null;
  let from = lines[0]?.completedAt as string;
  let to = from;
  for (const { completedAt } of lines) {
    if (completedAt < from) from = completedAt;
    if (completedAt > to) to = completedAt;
  }
  return { from, to };
}

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
import { CsvSyntaxError, readCsvRecords } from "./csv-records.ts";
import type { Statement, StatementLine } from "./statement.ts";
import {
  COLUMNS,
  type Column,
  isHeader,
  type Layout,
  layoutOf,
  missingColumns,
} from "./statement-columns.ts";
import { StatementInvalidError } from "./statement-error.ts";
import { classifyStatementLine } from "./statement-kind.ts";
import { parseAmountCents, parseEatTime } from "./statement-values.ts";

export { StatementInvalidError, type StatementProblem } from "./statement-error.ts";
export { type ClassifiableLine, classifyStatementLine } from "./statement-kind.ts";

/** At most this many lines after the header. */
export const STATEMENT_MAX_LINES = 200_000;
/** At most this many characters (a 200,000-line export is about 40 MB). */
export const STATEMENT_MAX_CHARS = 64 * 1024 * 1024;
/** The header must come within this many records (the preamble is a handful of lines). */
const MAX_PREAMBLE = 50;

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
  const missing = missingColumns(layout);
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
  return { lines, period: periodOf(lines), declaredPeriod: declaredPeriodOf(records.slice(0, headerIndex)) };
}

/**
 * The preamble's `Time Period:` line (`Time Period:,From,01-11-2026 00:00:00,To,30-11-2026 23:59:59`),
 * read as the first two cells that are times; a line that does not read so is left as the
 * informational text it is (the lines' own first and last times then serve).
 */
function declaredPeriodOf(preamble: ReadonlyArray<{ cells: string[] }>): Statement["declaredPeriod"] {
  for (const { cells } of preamble) {
    if (!/^\s*time period/i.test(cells.find((c) => c.trim() !== "") ?? "")) continue;
    const times = cells.map((c) => parseEatTime(c.trim())).filter((t): t is string => t !== null);
    const [from, last] = times;
    if (from === undefined || last === undefined || last < from) return null;
    return { from, to: new Date(Date.parse(last) + 999).toISOString() };
  }
  return null;
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

/**
 * Generated statement lines, written out the many ways exports write them (column order, header
 * spelling, quoting, BOM, line endings, thousands separators, signs, time forms, preamble, extra
 * columns, blank lines), read back the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StatementLine } from "../../../src/reconciliation/statement.ts";
import { classifyStatementLine, parseStatement } from "../../../src/reconciliation/statement-csv.ts";
import {
  formatAmountCents,
  formatEatTime,
  parseAmountCents,
  parseEatTime,
} from "../../../src/reconciliation/statement-values.ts";

type Fields = Omit<StatementLine, "lineNumber" | "kind">;
type Key = keyof Fields;

const TITLES: Record<Key, string> = {
  receipt: "Receipt No.",
  completedAt: "Completion Time",
  initiatedAt: "Initiation Time",
  details: "Details",
  status: "Transaction Status",
  paidInCents: "Paid In",
  withdrawnCents: "Withdrawn",
  balanceCents: "Balance",
  reasonType: "Reason Type",
  otherParty: "Other Party Info",
  linkedTransactionId: "Linked Transaction ID",
  accountNumber: "A/C No.",
};
const KEYS = Object.keys(TITLES) as Key[];

const SECOND = 1000;
const time = fc
  .integer({ min: Date.UTC(2020, 0, 1) / SECOND, max: Date.UTC(2035, 0, 1) / SECOND })
  .map((s) => new Date(s * SECOND).toISOString());
/** Text as a cell holds it: trimmed, with commas, quotes and line breaks inside. */
const text = fc
  .string({
    unit: fc.constantFrom("a", "B", "7", " ", ",", '"', "\n", "\r\n", "*", "-", ".", "é"),
    maxLength: 30,
  })
  .map((s) => s.trim());
const cents = fc.integer({ min: 1, max: 25_000_000 });

const lineArb: fc.Arbitrary<Fields> = fc
  .record({
    receipt: fc.stringMatching(/^[A-Z0-9]{10}$/),
    completedAt: time,
    initiatedAt: fc.option(time, { nil: null }),
    details: text,
    status: fc.constantFrom("Completed", "Failed", "Cancelled"),
    amount: cents,
    direction: fc.constantFrom("in", "out", "none"),
    balanceCents: fc.option(fc.integer({ min: -5_000_000, max: 9_000_000_000 }), { nil: null }),
    reasonType: fc.constantFrom(
      "Pay Utility",
      "Business Payment to Customer via API",
      "Reversal",
      "",
      "X, Y",
    ),
    otherParty: text,
    linkedTransactionId: fc.constantFrom("", "SKC82PACB8"),
    accountNumber: text,
  })
  .map(({ amount, direction, ...rest }) => ({
    ...rest,
    paidInCents: direction === "in" ? amount : 0,
    withdrawnCents: direction === "out" ? amount : 0,
  }));

const styleArb = fc.record({
  order: fc.shuffledSubarray(KEYS, { minLength: KEYS.length }),
  extraColumns: fc.subarray(["Balance Confirmed", "Currency", "Notes"]),
  headerCase: fc.constantFrom("as-is", "upper", "lower"),
  headerDots: fc.boolean(),
  headerPadding: fc.boolean(),
  quoteAll: fc.boolean(),
  bom: fc.boolean(),
  eol: fc.constantFrom("\n", "\r\n"),
  thousands: fc.boolean(),
  negativeWithdrawn: fc.boolean(),
  zeroAsEmpty: fc.boolean(),
  dayFirst: fc.boolean(),
  preamble: fc.boolean(),
  blankLines: fc.integer({ min: 0, max: 3 }),
});
type Style = typeof styleArb extends fc.Arbitrary<infer S> ? S : never;

function headerCell(title: string, style: Style): string {
  let cell = style.headerDots ? title.replace(/\.$/, "") : title;
  if (style.headerCase === "upper") cell = cell.toUpperCase();
  if (style.headerCase === "lower") cell = cell.toLowerCase();
  return style.headerPadding ? ` ${cell} ` : cell;
}

function cellOf(line: Fields, key: Key, style: Style): string {
  const amount = (value: number) =>
    value === 0 && style.zeroAsEmpty ? "" : formatAmountCents(value, style.thousands);
  const when = (iso: string) => {
    const eat = formatEatTime(iso); // dd-mm-yyyy hh:mm:ss
    return style.dayFirst ? eat : `${eat.slice(6, 10)}-${eat.slice(3, 5)}-${eat.slice(0, 2)}${eat.slice(10)}`;
  };
  switch (key) {
    case "completedAt":
      return when(line.completedAt);
    case "initiatedAt":
      return line.initiatedAt === null ? "" : when(line.initiatedAt);
    case "paidInCents":
      return amount(line.paidInCents);
    case "withdrawnCents":
      return amount(style.negativeWithdrawn ? -line.withdrawnCents : line.withdrawnCents);
    case "balanceCents":
      return line.balanceCents === null ? "" : formatAmountCents(line.balanceCents, style.thousands);
    default:
      return line[key];
  }
}

const quote = (cell: string, all: boolean) =>
  all || /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;

/** The CSV text, and the line each statement line starts on. */
function write(lines: Fields[], style: Style): { text: string; lineNumbers: number[] } {
  const rows: string[][] = [];
  if (style.preamble)
    rows.push(["Account Holder:", "Malipo, Ltd"], ["Time Period:", "From", "x", "To", "y"], []);
  rows.push([...style.order.map((k) => headerCell(TITLES[k], style)), ...style.extraColumns]);
  const firstLine = rows.length;
  for (const line of lines)
    rows.push([...style.order.map((k) => cellOf(line, k, style)), ...style.extraColumns.map(() => "x")]);
  const records = rows.map((cells) => cells.map((c) => quote(c, style.quoteAll)).join(","));
  const lineNumbers: number[] = [];
  let at = 1;
  records.forEach((record, index) => {
    if (index >= firstLine) lineNumbers.push(at);
    at += 1 + (record.match(/\r\n|\n/g)?.length ?? 0);
  });
  const blank = style.eol.repeat(style.blankLines);
  return { text: `${style.bom ? "\uFEFF" : ""}${records.join(style.eol)}${style.eol}${blank}`, lineNumbers };
}

describe("a statement written any way exports write it", () => {
  it("reads back the lines that were written", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 8 }), styleArb, (lines, style) => {
        const { text, lineNumbers } = write(lines, style);
        const statement = parseStatement(text);
        expect(statement.lines).toEqual(
          lines.map((line, i) => ({
            ...line,
            lineNumber: lineNumbers[i],
            kind: classifyStatementLine(line),
          })),
        );
        const times = lines.map((l) => l.completedAt).sort();
        expect(statement.period).toEqual(
          lines.length === 0 ? null : { from: times[0], to: times[times.length - 1] },
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe("statement values", () => {
  it("formats and parses every amount exactly, with or without thousands separators", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(10 ** 15 - 1), max: 10 ** 15 - 1 }),
        fc.boolean(),
        (value, thousands) => {
          expect(parseAmountCents(formatAmountCents(value, thousands))).toBe(value);
        },
      ),
    );
  });

  it("formats and parses every second as East Africa Time", () => {
    fc.assert(
      fc.property(time, (iso) => {
        expect(parseEatTime(formatEatTime(iso))).toBe(iso);
        expect(Number(formatEatTime(iso).slice(11, 13))).toBe((new Date(iso).getUTCHours() + 3) % 24);
      }),
    );
  });
});

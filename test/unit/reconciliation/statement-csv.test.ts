import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/errors.ts";
import {
  parseStatement,
  STATEMENT_MAX_CHARS,
  STATEMENT_MAX_LINES,
  StatementInvalidError,
} from "../../../src/reconciliation/statement-csv.ts";

const HEADER = [
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
const PAYMENT = [
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
const PAYOUT = [
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

const csv = (rows: string[][], eol = "\n") => rows.map((r) => r.join(",")).join(eol) + eol;
const only = (text: string) => {
  const { lines } = parseStatement(text);
  expect(lines).toHaveLength(1);
  return lines[0] as NonNullable<(typeof lines)[0]>;
};

function invalid(text: string): StatementInvalidError {
  try {
    parseStatement(text);
  } catch (error) {
    expect(error).toBeInstanceOf(StatementInvalidError);
    expect(error).toBeInstanceOf(AppError);
    return error as StatementInvalidError;
  }
  throw new Error("the statement was accepted");
}

describe("reading a statement export", () => {
  it("reads every column of a line, amounts in cents and times in UTC", () => {
    const { lines, period } = parseStatement(csv([HEADER, PAYMENT, PAYOUT]));
    expect(lines[0]).toEqual({
      lineNumber: 2,
      receipt: "SKL1ABC2DE",
      completedAt: "2026-11-30T11:05:10.000Z",
      initiatedAt: "2026-11-30T11:05:02.000Z",
      details: "Pay Bill from 25471****678 - JANE **** DOE Acc. BKG-7",
      status: "Completed",
      paidInCents: 150_000,
      withdrawnCents: 0,
      balanceCents: 1_150_000,
      reasonType: "Pay Utility",
      otherParty: "25471****678 - JANE **** DOE",
      linkedTransactionId: "",
      accountNumber: "BKG-7",
      kind: "payment_in",
    });
    expect(lines[1]).toMatchObject({ lineNumber: 3, withdrawnCents: 90_000, kind: "payout_out" });
    expect(period).toEqual({ from: "2026-11-30T11:05:10.000Z", to: "2026-11-30T12:00:00.000Z" });
  });

  it("takes the columns in any order", () => {
    const order = [11, 3, 0, 7, 6, 5, 1, 2, 10, 9, 8, 4];
    const pick = (row: string[]) => order.map((i) => row[i] as string);
    expect(parseStatement(csv([pick(HEADER), pick(PAYMENT), pick(PAYOUT)]))).toEqual(
      parseStatement(csv([HEADER, PAYMENT, PAYOUT])),
    );
  });

  it("ignores columns it does not know (Balance Confirmed, Currency)", () => {
    const line = only(
      csv([
        [...HEADER, "Balance Confirmed", "Currency"],
        [...PAYMENT, "true", "KES"],
      ]),
    );
    expect(line.receipt).toBe("SKL1ABC2DE");
  });

  it("accepts header variants: case, spacing, trailing dots and colons, a unit", () => {
    const header = [
      " RECEIPT NO ",
      "completion time",
      "Initiation Time.",
      "DETAILS",
      "Transaction Status:",
      "Paid In (KSHs)",
      "Withdrawn (KSHs)",
      "Balance (KSHs)",
      "reason  type",
      "Other Party Info ",
      "Linked Transaction ID",
      "A/C No",
    ];
    expect(parseStatement(csv([header, PAYMENT])).lines).toEqual(
      parseStatement(csv([HEADER, PAYMENT])).lines,
    );
  });

  it("needs only the required columns; the others read as empty", () => {
    const header = [
      "Receipt No.",
      "Completion Time",
      "Details",
      "Transaction Status",
      "Paid In",
      "Withdrawn",
    ];
    const line = only(csv([header, ["SKL1", "2026-11-30 14:05:10", "Pay Bill", "Completed", "10.00", ""]]));
    expect(line).toMatchObject({ initiatedAt: null, balanceCents: null, reasonType: "", accountNumber: "" });
  });

  it("reads RFC 4180 quoting: commas, line breaks and doubled quotes inside quotes", () => {
    const row = [...PAYMENT];
    row[3] = '"Pay Bill from 25471****678 - JANE ""JJ"" DOE,\r\nAcc. BKG-7"';
    const { lines } = parseStatement(csv([HEADER, row, PAYOUT], "\r\n"));
    expect(lines[0]?.details).toBe('Pay Bill from 25471****678 - JANE "JJ" DOE,\r\nAcc. BKG-7');
    expect(lines[1]?.lineNumber).toBe(4); // the quoted line break moved the next line down
  });

  it("reads thousands separators and one-digit cents", () => {
    const row = [...PAYMENT];
    row[5] = '"1,234,567.5"';
    row[7] = '"-2,000.05"';
    expect(only(csv([HEADER, row]))).toMatchObject({ paidInCents: 123_456_750, balanceCents: -200_005 });
  });

  it("reads Withdrawn written negative or positive the same", () => {
    const positive = [...PAYOUT];
    positive[6] = "900";
    expect(only(csv([HEADER, positive])).withdrawnCents).toBe(only(csv([HEADER, PAYOUT])).withdrawnCents);
  });

  it("reads a zero Paid In beside a Withdrawn as a withdrawal", () => {
    const row = [...PAYOUT];
    row[5] = "0.00";
    expect(only(csv([HEADER, row]))).toMatchObject({ paidInCents: 0, withdrawnCents: 90_000 });
  });

  it("reads empty cells as empty, and an empty Balance or Initiation Time as null", () => {
    const row = [...PAYMENT];
    row[2] = "";
    row[7] = "";
    row[11] = "";
    expect(only(csv([HEADER, row]))).toMatchObject({
      initiatedAt: null,
      balanceCents: null,
      accountNumber: "",
    });
  });

  it("skips a UTF-8 byte-order mark", () => {
    expect(parseStatement(`\uFEFF${csv([HEADER, PAYMENT])}`)).toEqual(parseStatement(csv([HEADER, PAYMENT])));
  });

  it("reads CRLF and lone CR line endings", () => {
    expect(parseStatement(csv([HEADER, PAYMENT], "\r\n"))).toEqual(parseStatement(csv([HEADER, PAYMENT])));
    expect(parseStatement(csv([HEADER, PAYMENT], "\r"))).toEqual(parseStatement(csv([HEADER, PAYMENT])));
  });

  it("skips blank lines and lines of empty cells, counting them in line numbers", () => {
    const text = `${csv([HEADER, PAYMENT])}\n,,,,,,\n${csv([PAYOUT])}\n\n\r\n`;
    expect(parseStatement(text).lines.map((l) => l.lineNumber)).toEqual([2, 5]);
  });

  it("finds the header after preamble lines and numbers lines from the top of the file", () => {
    const preamble = [
      ["Account Holder:", "Malipo Services Ltd"],
      ["Short Code:", "174379"],
      ["Time Period:", "From", "01-11-2026 00:00:00", "To", "30-11-2026 23:59:59"],
      [],
    ];
    expect(only(csv([...preamble, HEADER, PAYMENT])).lineNumber).toBe(6);
  });

  it("reads year-first and day-first times as East Africa Time", () => {
    const row = [...PAYMENT];
    row[1] = "2026-12-01 01:30";
    row[2] = "01/12/2026 01:29:59";
    expect(only(csv([HEADER, row]))).toMatchObject({
      completedAt: "2026-11-30T22:30:00.000Z",
      initiatedAt: "2026-11-30T22:29:59.000Z",
    });
  });

  it("tolerates empty cells past the header's last column", () => {
    expect(only(csv([HEADER, [...PAYMENT, "", ""]])).receipt).toBe("SKL1ABC2DE");
  });

  it("reads a header with no lines as an empty statement", () => {
    expect(parseStatement(csv([HEADER]))).toEqual({ lines: [], period: null });
  });
});

describe("refusing a statement that cannot be read", () => {
  const withCell = (row: string[], index: number, value: string) =>
    row.map((c, i) => (i === index ? value : c));

  it("is a 400 STATEMENT_INVALID naming the line and the problem", () => {
    const error = invalid(csv([HEADER, PAYMENT, withCell(PAYOUT, 6, "nine hundred")]));
    expect(error).toMatchObject({ code: "STATEMENT_INVALID", status: 400, line: 3, problem: "bad_amount" });
    expect(error.message).toBe('Statement line 3: Withdrawn "nine hundred" is not an amount');
    expect(error.details).toEqual({ line: 3, problem: "bad_amount" });
  });

  it.each([
    ["", ""],
    ["only a byte-order mark and blank lines", "\uFEFF\r\n  \n"],
  ])("refuses an empty file %s", (_, text) => {
    expect(invalid(text)).toMatchObject({ problem: "empty", line: null });
  });

  it("refuses a file with no header row", () => {
    expect(invalid(csv([["Account Holder:", "Malipo"], PAYMENT]))).toMatchObject({ problem: "no_header" });
  });

  it("refuses a header without a required column, naming it", () => {
    const error = invalid(csv([["Note"], HEADER.filter((h) => h !== "Paid In" && h !== "Details"), PAYMENT]));
    expect(error).toMatchObject({ problem: "missing_column", line: 2 });
    expect(error.message).toContain("Details, Paid In");
  });

  it("refuses a header naming a column twice", () => {
    expect(invalid(csv([[...HEADER, "paid in"], PAYMENT]))).toMatchObject({
      problem: "duplicate_column",
      line: 1,
    });
  });

  it.each(["12,34.50", "1.234", "1,5", "KES 10", "--5", "1e3", "12345678901234.00"])(
    "refuses the amount %j",
    (amount) => {
      expect(invalid(csv([HEADER, withCell(PAYMENT, 5, `"${amount}"`)]))).toMatchObject({
        problem: "bad_amount",
        line: 2,
      });
    },
  );

  it("refuses a negative Paid In", () => {
    expect(invalid(csv([HEADER, withCell(PAYMENT, 5, "-10.00")]))).toMatchObject({ problem: "bad_amount" });
  });

  it.each(["31-02-2026 10:00:00", "2026-13-01 10:00:00", "30-11-2026 24:00:00", "30-11-2026", "yesterday"])(
    "refuses the time %j",
    (time) => {
      expect(invalid(csv([HEADER, PAYMENT, withCell(PAYOUT, 1, time)]))).toMatchObject({
        problem: "bad_time",
        line: 3,
      });
      expect(invalid(csv([HEADER, withCell(PAYMENT, 2, time)]))).toMatchObject({
        problem: "bad_time",
        line: 2,
      });
    },
  );

  it("refuses a line with both Paid In and Withdrawn", () => {
    expect(invalid(csv([HEADER, withCell(PAYMENT, 6, "-1.00")]))).toMatchObject({
      problem: "both_amounts",
      line: 2,
    });
  });

  it("refuses a line without a receipt or a completion time", () => {
    expect(invalid(csv([HEADER, withCell(PAYMENT, 0, " ")]))).toMatchObject({
      problem: "missing_value",
      line: 2,
    });
    expect(invalid(csv([HEADER, withCell(PAYMENT, 1, "")]))).toMatchObject({
      problem: "missing_value",
      line: 2,
    });
  });

  it("refuses an unterminated quote, naming the line it opened on", () => {
    const error = invalid(
      `${csv([HEADER, PAYMENT])}${withCell(PAYOUT, 3, '"Business Payment').join(",")}\n\n`,
    );
    expect(error).toMatchObject({ problem: "unterminated_quote", line: 3 });
  });

  it("refuses text after a closing quote", () => {
    expect(invalid(csv([HEADER, withCell(PAYMENT, 3, '"Pay Bill" from')]))).toMatchObject({
      problem: "text_after_quote",
      line: 2,
    });
  });

  it("refuses a line with more cells than the header (an unquoted comma)", () => {
    expect(invalid(csv([HEADER, [...PAYMENT, "extra"]]))).toMatchObject({
      problem: "too_many_cells",
      line: 2,
    });
  });

  it(`refuses more than ${STATEMENT_MAX_LINES} lines`, () => {
    const header = "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn\n";
    const row = "R1,2026-11-30 10:00,Pay Bill,Completed,1,\n";
    expect(parseStatement(header + row.repeat(3)).lines).toHaveLength(3);
    expect(invalid(header + row.repeat(STATEMENT_MAX_LINES + 1))).toMatchObject({
      problem: "too_many_lines",
    });
  });

  it("refuses a file over the size cap before reading it", () => {
    expect(invalid(" ".repeat(STATEMENT_MAX_CHARS + 1))).toMatchObject({ problem: "too_large" });
  });
});

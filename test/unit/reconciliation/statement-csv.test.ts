import { describe, expect, it } from "vitest";
import { parseStatement } from "../../../src/reconciliation/statement-csv.ts";
import { csv, HEADER, PAYMENT, PAYOUT } from "./statement-fixtures.ts";

const only = (text: string) => {
  const { lines } = parseStatement(text);
  expect(lines).toHaveLength(1);
  return lines[0] as NonNullable<(typeof lines)[0]>;
};

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
    expect(parseStatement(csv([HEADER]))).toEqual({ lines: [], period: null, declaredPeriod: null });
  });
});

describe("the period an export says it covers", () => {
  const preamble = (...rows: string[][]) => [["Account Holder:", "MALIPO"], ...rows, HEADER, PAYMENT];

  it("is read from the Time Period line, EAT, to the end of its last second", () => {
    const statement = parseStatement(
      csv(preamble(["Time Period:", "From", "01-11-2026 00:00:00", "To", "30-11-2026 23:59:59"])),
    );
    expect(statement.declaredPeriod).toEqual({
      from: "2026-10-31T21:00:00.000Z",
      to: "2026-11-30T20:59:59.999Z",
    });
    // The lines' own first and last times are still there.
    expect(statement.period).toEqual({ from: "2026-11-30T11:05:10.000Z", to: "2026-11-30T11:05:10.000Z" });
  });

  it("is null when the export has no such line, or one that does not read as two times in order", () => {
    for (const rows of [
      [],
      [["Time Period:", "From", "", "To", ""]],
      [["Time Period:", "last month"]],
      [["Time Period:", "From", "30-11-2026 23:59:59", "To", "01-11-2026 00:00:00"]],
    ])
      expect(parseStatement(csv(preamble(...rows))).declaredPeriod).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/errors.ts";
import {
  parseStatement,
  STATEMENT_MAX_CHARS,
  STATEMENT_MAX_LINES,
  StatementInvalidError,
} from "../../../src/reconciliation/statement-csv.ts";
import { csv, HEADER, PAYMENT, PAYOUT, withCell } from "./statement-fixtures.ts";

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

describe("refusing a statement that cannot be read", () => {
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

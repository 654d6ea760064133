import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../../src/reconciliation/csv-records.ts";
import { discrepanciesCsv } from "../../../src/reconciliation/discrepancies-csv.ts";
import type { ReconciliationDiscrepancy, ReconciliationRunView } from "../../../src/reconciliation/views.ts";

const run = { id: "rec_1" } as ReconciliationRunView;
const item = (over: Partial<ReconciliationDiscrepancy>): ReconciliationDiscrepancy => ({
  id: "dsc_1",
  runId: "rec_1",
  kind: "missing_here",
  receipt: "UAL1234567",
  amount: 1234.5,
  amountCents: 123_450,
  currency: "KES",
  recordId: null,
  recordType: null,
  detail: "KES 1,234.50 paid in by 25470****149 - JOHN DOE",
  lineNumber: 7,
  lineKind: "payment_in",
  otherParty: "25470****149 - JOHN DOE",
  accountNumber: "BK1A2B3C4D",
  completedAt: "2026-01-15T09:00:00.000Z",
  candidateTransactionId: null,
  details: {},
  state: "open",
  resolution: null,
  resolutionNote: null,
  resolvedBy: null,
  resolvedAt: null,
  transactionId: null,
  refundId: null,
  actions: ["attach", "refund", "resolve"],
  createdAt: "2026-01-15T09:01:00.000Z",
  ...over,
});

describe("a run's discrepancies as CSV", () => {
  it("one quoted row per discrepancy, amounts in KES, formulas defused", () => {
    const csv = discrepanciesCsv(run, [
      item({}),
      item({
        id: "dsc_2",
        kind: "missing_there",
        lineNumber: null,
        recordType: "payment",
        recordId: "pay_1",
        resolutionNote: '=HYPERLINK("x")',
      }),
    ]);
    expect(csv.endsWith("\r\n")).toBe(true);
    const rows = readCsvRecords(csv, 10).map((r) => r.cells);
    expect(rows[0]?.slice(0, 8)).toEqual([
      "Run",
      "Discrepancy",
      "Kind",
      "State",
      "Resolution",
      "Statement Line",
      "Receipt No.",
      "Amount (KES)",
    ]);
    expect(rows[1]?.slice(0, 14)).toEqual([
      "rec_1",
      "dsc_1",
      "missing_here",
      "open",
      "",
      "7",
      "UAL1234567",
      "1234.50",
      "25470****149 - JOHN DOE",
      "BK1A2B3C4D",
      "2026-01-15T09:00:00.000Z",
      "",
      "",
      "KES 1,234.50 paid in by 25470****149 - JOHN DOE",
    ]);
    expect(rows[2]?.[11]).toBe("payment:pay_1");
    expect(rows[2]?.[16]).toBe(`'=HYPERLINK("x")`);
  });
});

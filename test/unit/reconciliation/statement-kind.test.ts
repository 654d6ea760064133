import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StatementLineKind } from "../../../src/reconciliation/statement.ts";
import { type ClassifiableLine, classifyStatementLine } from "../../../src/reconciliation/statement-csv.ts";

const IN = 150_000;
const OUT = 90_000;
const line = (details: string, reasonType: string, direction: "in" | "out"): ClassifiableLine => ({
  details,
  reasonType,
  paidInCents: direction === "in" ? IN : 0,
  withdrawnCents: direction === "out" ? OUT : 0,
});

// Wordings of real exports (see the sources named in statement-kind.ts), each with its kind.
const CASES: Array<[string, string, "in" | "out", StatementLineKind]> = [
  ["Pay Bill from 25472****176 - JOYCE NJAGI Acc. Joyce Njagi", "Pay Utility", "in", "payment_in"],
  [
    "Pay Bill Online from 25471****904 - Nelson **** Sammy Acc. INV-19",
    "Pay Bill Online",
    "in",
    "payment_in",
  ],
  [
    "Pay Bill from 25470****333 - CAROL FICTION Acc. 750007",
    "Pay Utility with OD via STK",
    "in",
    "payment_in",
  ],
  ["", "Standing Order Pay Bill", "in", "payment_in"],
  ["Customer Payment from 254712***678 - ACME", "", "in", "payment_in"],
  ["Merchant Payment from 2547****12 - SHOPPER", "Lipa na M-PESA", "in", "payment_in"],
  [
    "Business Payment to 254717267846 - FAITH NDWIGA via API",
    "Business Payment to Customer via API",
    "out",
    "payout_out",
  ],
  ["Payment to 2547****846 - FAITH NDWIGA", "Business Payment to Customer", "out", "payout_out"],
  ["Salary Payment to 2547****846 - FAITH NDWIGA", "Salary Payment via API", "out", "payout_out"],
  [
    "Business Payment to 2547****846 - FAITH NDWIGA",
    "Business Payment to Customer Withdrawal Charge Paid via API",
    "out",
    "payout_out",
  ],
  ["Pay Bill Charge", "Pay Utility", "out", "charge"],
  ["Business Payment Charge", "Business Payment Charge", "out", "charge"],
  ["Withdrawal Charge", "", "out", "charge"],
  ["", "Fee For B2C Payment", "out", "charge"],
  ["Reversal of Pay Bill transaction SKC82PACB8", "Reversal", "out", "reversal_out"],
  ["Reversal of Business Payment SKC82PACB9", "Reversal", "in", "other"],
  ["Utility Account to Organization Settlement Account", "Settlement", "out", "other"],
  ["Pay Bill to 522533 - Lipa na KCB Acc. 99", "Pay Bill", "out", "other"],
  ["Pay Bill from 25472****176 - JOYCE NJAGI", "Pay Utility", "out", "other"],
  ["Business Payment from 573388 - TERRAPAY", "Business Payment", "in", "other"],
  ["Something new from Safaricom", "Unheard Of", "in", "other"],
];

describe("classifying a statement line", () => {
  it.each(CASES)("%j / %j (%s) is %s", (details, reasonType, direction, kind) => {
    expect(classifyStatementLine(line(details, reasonType, direction))).toBe(kind);
  });

  it("ignores case and spacing", () => {
    expect(classifyStatementLine(line("  PAY   BILL CHARGE ", "", "out"))).toBe("charge");
    expect(classifyStatementLine(line("business payment TO 2547****846 - X", "", "out"))).toBe("payout_out");
  });

  it("never lets the other party's name decide", () => {
    const named = (name: string) => `Business Payment to 25472****123 - ${name} via API`;
    for (const name of ["FEE MWANGI", "CHARGE OTIENO", "REVERSAL KAMAU", "PAY BILL WANJIKU"])
      expect(classifyStatementLine(line(named(name), "Business Payment to Customer via API", "out"))).toBe(
        "payout_out",
      );
    expect(classifyStatementLine(line("Pay Bill from 25472****176 - FEE NJAGI", "Pay Utility", "in"))).toBe(
      "payment_in",
    );
  });

  it("never calls money in a payout, a charge or a reversal, nor money out a payment", () => {
    const wordings = CASES.map(([details]) => details).concat(CASES.map(([, reason]) => reason));
    const texts = fc.constantFrom(...wordings, "Charge", "Reversal");
    fc.assert(
      fc.property(texts, texts, fc.constantFrom<"in" | "out">("in", "out"), (details, reason, direction) => {
        const kind = classifyStatementLine(line(details, reason, direction));
        if (direction === "in") expect(["payment_in", "other"]).toContain(kind);
        else expect(kind).not.toBe("payment_in");
      }),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StatementLine } from "../../../src/reconciliation/statement.ts";
import { statementBalances } from "../../../src/reconciliation/statement-balances.ts";

function line(n: number, at: string, moveCents: number, balanceCents: number | null): StatementLine {
  return {
    lineNumber: n,
    receipt: `UAB${String(n).padStart(7, "0")}`,
    completedAt: at,
    initiatedAt: null,
    details: "x",
    status: "Completed",
    paidInCents: Math.max(moveCents, 0),
    withdrawnCents: Math.max(-moveCents, 0),
    balanceCents,
    reasonType: "",
    otherParty: "",
    linkedTransactionId: "",
    accountNumber: "",
    kind: moveCents > 0 ? "payment_in" : "payout_out",
  };
}

describe("the statement's opening and closing balance", () => {
  it("reads them from the running balance, whichever way the file runs and however many lines share a second", () => {
    const moves = fc.array(
      fc.integer({ min: -50_000, max: 50_000 }).filter((x) => x !== 0),
      {
        minLength: 1,
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        moves,
        fc.boolean(),
        fc.boolean(),
        (opening, m, newestFirst, sameSecond) => {
          let balance = opening;
          const chronological = m.map((move, i) => {
            balance += move;
            const at = new Date(Date.UTC(2026, 0, 15, 9, 0, sameSecond ? 0 : i)).toISOString();
            return { move, at, balance };
          });
          const inFile = newestFirst ? [...chronological].reverse() : chronological;
          const lines = inFile.map((x, i) => line(i + 2, x.at, x.move, x.balance));
          expect(statementBalances(lines)).toEqual({ openingCents: opening, closingCents: balance });
        },
      ),
    );
  });

  it("passes over lines without a balance (a charge from another account), and has none without the column", () => {
    const lines = [
      line(2, "2026-01-15T09:00:02.000Z", -500, null),
      line(3, "2026-01-15T09:00:01.000Z", -45_000, 105_000),
      line(4, "2026-01-15T09:00:00.000Z", 50_000, 150_000),
    ];
    expect(statementBalances(lines)).toEqual({ openingCents: 100_000, closingCents: 105_000 });
    expect(statementBalances([line(2, "2026-01-15T09:00:00.000Z", 100, null)])).toEqual({
      openingCents: null,
      closingCents: null,
    });
  });
});

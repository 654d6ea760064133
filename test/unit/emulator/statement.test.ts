import { describe, expect, it } from "vitest";
import { B2C_COMMAND_IDS } from "../../../src/daraja/b2c-request.ts";
import {
  MAX_STATEMENT_LINES,
  portalMaskedMsisdn,
  StatementJournal,
  statementLinesOf,
} from "../../../src/emulator/statement.ts";
import { statementCsv } from "../../../src/emulator/statement-export.ts";
import type { MpesaTransaction } from "../../../src/emulator/transactions.ts";
import { classifyStatementLine, parseStatement } from "../../../src/reconciliation/statement-csv.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute, 0));

function transaction(fields: Partial<MpesaTransaction> = {}): MpesaTransaction {
  return {
    receipt: "UL1PTGR6VJ",
    kind: "stk_payment",
    shortcode: "174379",
    organisationName: "MALIPO",
    msisdn: "254708374149",
    customerName: "JOHN DOE",
    amount: 500,
    chargeKes: 0,
    commandId: "CustomerPayBillOnline",
    initiatedAt: at(0),
    completedAt: at(0),
    conversationId: null,
    originatorConversationId: null,
    checkoutRequestId: "ws_CO_1",
    originalReceipt: null,
    reversedBy: null,
    ...fields,
  };
}

describe("the emulator's statement wording", () => {
  it("masks a number as the portal does and hides middle names", () => {
    expect(portalMaskedMsisdn("254708374149")).toBe("25470****149");
    const [line] = statementLinesOf(transaction({ customerName: "JANE WANJIKU DOE" }), 0, "BK1");
    expect(line?.otherParty).toBe("25470****149 - JANE **** DOE");
  });

  it("words each movement so the statement reader classifies it as what it is", () => {
    const kinds = (t: MpesaTransaction) => statementLinesOf(t, 0, "BK1").map((l) => classifyStatementLine(l));
    expect(kinds(transaction())).toEqual(["payment_in"]);
    expect(kinds(transaction({ commandId: "CustomerBuyGoodsOnline" }))).toEqual(["payment_in"]);
    for (const commandId of B2C_COMMAND_IDS) {
      const payout = transaction({ kind: "b2c_payment", commandId, amount: 450, chargeKes: 5 });
      expect(kinds(payout)).toEqual(["payout_out", "charge"]);
      expect(kinds({ ...payout, chargeKes: 0 })).toEqual(["payout_out"]);
    }
    const reversal = transaction({
      kind: "reversal",
      commandId: "TransactionReversal",
      originalReceipt: "UL0AAAAAAA",
    });
    expect(kinds(reversal)).toEqual(["reversal_out"]);
    expect(statementLinesOf(reversal, 0)[0]?.linkedTransactionId).toBe("UL0AAAAAAA");
  });

  it("puts a payout's charge on its receipt, linked to it, without a Utility balance", () => {
    const payout = transaction({
      kind: "b2c_payment",
      commandId: "BusinessPayment",
      amount: 450,
      chargeKes: 5,
    });
    const [out, charge] = statementLinesOf(payout, 9_955_000);
    expect(out).toMatchObject({ withdrawnCents: 45_000, balanceCents: 9_955_000, linkedTransactionId: "" });
    expect(charge).toMatchObject({
      receipt: payout.receipt,
      linkedTransactionId: payout.receipt,
      withdrawnCents: 500,
      balanceCents: null,
      details: "Business Payment Charge",
    });
  });

  it("exports what the reader reads back, newest first", () => {
    const journal = new StatementJournal();
    journal.record(transaction({ receipt: "UL1AAAAAAA" }), 10_050_000, "BK, 1");
    journal.record(
      transaction({
        receipt: "UL1BBBBBBB",
        kind: "b2c_payment",
        commandId: "SalaryPayment",
        amount: 1_200,
        chargeKes: 5,
        completedAt: at(5),
      }),
      9_930_000,
    );
    const lines = journal.list({ shortcode: "174379" });
    const csv = statementCsv({
      shortcode: "174379",
      organisationName: "MALIPO",
      from: null,
      to: null,
      lines,
    });
    const read = parseStatement(csv).lines;
    expect(read.map(({ lineNumber: _n, kind: _k, ...fields }) => fields)).toEqual(
      [...lines].reverse().map(({ shortcode: _s, ...fields }) => fields),
    );
    expect(read.map((l) => l.kind)).toEqual(["charge", "payout_out", "payment_in"]);
  });
});

describe("the statement journal", () => {
  it("keeps the most recent lines only", () => {
    const journal = new StatementJournal(3);
    for (let i = 0; i < 10; i += 1) journal.record(transaction({ receipt: `UL${i}`, completedAt: at(i) }), i);
    expect(journal.size).toBe(3);
    expect(journal.list({ shortcode: "174379" }).map((l) => l.receipt)).toEqual(["UL7", "UL8", "UL9"]);
    expect(MAX_STATEMENT_LINES).toBe(100_000);
  });

  it("lists one organisation's lines from `from` (inclusive) to `to` (exclusive)", () => {
    const journal = new StatementJournal();
    for (let i = 0; i < 4; i += 1) journal.record(transaction({ receipt: `UL${i}`, completedAt: at(i) }), i);
    journal.record(transaction({ receipt: "OTHER", shortcode: "600000", completedAt: at(1) }), 0);
    const receipts = (filter: { from?: Date; to?: Date; shortcode?: string }) =>
      journal.list({ shortcode: "174379", ...filter }).map((l) => l.receipt);
    expect(receipts({ from: at(1), to: at(3) })).toEqual(["UL1", "UL2"]);
    expect(receipts({ shortcode: "600000" })).toEqual(["OTHER"]);
    journal.clear();
    expect(receipts({})).toEqual([]);
  });
});

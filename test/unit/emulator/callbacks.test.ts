import { describe, expect, it } from "vitest";
import type { Msisdn } from "../../../src/daraja/phone.ts";
import { stkCallbackPayload } from "../../../src/emulator/callbacks.ts";
import { RESULTS, type ResultKind } from "../../../src/emulator/outcomes.ts";
import type { StkSession } from "../../../src/emulator/sessions.ts";

const session = (kind: ResultKind): StkSession => ({
  checkoutRequestId: "ws_CO_07012026011719759115726301",
  merchantRequestId: "4963-4166-abe9-28d85805a82f18069",
  shortcode: "174379",
  businessName: "MALIPO",
  transactionType: "CustomerPayBillOnline",
  amount: 1,
  partyA: "254708374149" as Msisdn,
  partyB: "174379",
  phoneNumber: "254708374149" as Msisdn,
  callbackUrl: "https://malipo.example/cb",
  accountReference: "BK12345",
  transactionDesc: "Booking fee",
  outcome: "pay",
  callbackPlan: "once",
  responseLost: false,
  status: "completed",
  createdAt: new Date(),
  promptExpiresAt: new Date(),
  completedAt: new Date(),
  resolvedBy: "scenario",
  result: { kind, resultCode: RESULTS[kind].code, resultDesc: RESULTS[kind].callbackDesc },
  receipt: kind === "paid" ? { mpesaReceiptNumber: "UA77F34PY7", transactionDate: "20260107011726" } : null,
});

describe("STK callback payload", () => {
  it("is byte for byte the 2026 captured success callback (minified)", () => {
    // stk-callback-success-2026-integer-amount: Amount integer, Balance without Value, numbers for
    // TransactionDate and PhoneNumber, items in this order.
    expect(JSON.stringify(stkCallbackPayload(session("paid")))).toBe(
      '{"Body":{"stkCallback":{"MerchantRequestID":"4963-4166-abe9-28d85805a82f18069",' +
        '"CheckoutRequestID":"ws_CO_07012026011719759115726301","ResultCode":0,' +
        '"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[' +
        '{"Name":"Amount","Value":1},{"Name":"MpesaReceiptNumber","Value":"UA77F34PY7"},{"Name":"Balance"},' +
        '{"Name":"TransactionDate","Value":20260107011726},{"Name":"PhoneNumber","Value":254708374149}]}}}}',
    );
  });

  it.each<[ResultKind, number | string, string]>([
    ["cancelled", 1032, "Request Cancelled by user."],
    ["no_answer", 1037, "No response from user."],
    ["wrong_pin", 2001, "The initiator information is invalid."],
    ["insufficient_funds", 1, "The balance is insufficient for the transaction."],
    ["expired", 1019, "Transaction has expired"],
    ["push_failed", 1025, "An error occurred while sending a push request."],
    ["rule_limited", 17, "Rule limited."],
    ["operator_does_not_exist", "SFC_IC0003", "The operator does not exist."],
  ])("a %s failure carries just the four fields, ResultCode %j", (kind, code, desc) => {
    const payload = stkCallbackPayload(session(kind));
    expect(Object.keys(payload.Body.stkCallback)).toEqual([
      "MerchantRequestID",
      "CheckoutRequestID",
      "ResultCode",
      "ResultDesc",
    ]);
    expect(payload.Body.stkCallback.ResultCode).toBe(code);
    expect(payload.Body.stkCallback.ResultDesc).toBe(desc);
  });

  it("refuses to build a callback for a session without a result", () => {
    expect(() => stkCallbackPayload({ ...session("paid"), result: null })).toThrow(/no result/);
  });
});

describe("query wording differs from callback wording where Daraja's does", () => {
  it.each<[ResultKind, string]>([
    ["cancelled", "Request cancelled by user"],
    ["no_answer", "DS timeout user cannot be reached."],
    ["paid", "The service request is processed successfully."],
  ])("%s → %s", (kind, queryDesc) => expect(RESULTS[kind].queryDesc).toBe(queryDesc));
});

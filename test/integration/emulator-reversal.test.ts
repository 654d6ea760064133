/**
 * Reversals against the real emulator over loopback: a customer pays by STK Push, the payment is
 * reversed (money back to the phone, out of the Utility Account), a second reversal is answered
 * R000001 without paying twice, and Daraja's checks — the misspelt RecieverIdentifierType included.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseReversalResult } from "../../src/daraja/payment-results.ts";
import {
  type CallbackReceiver,
  darajaPost,
  fetchToken,
  payByStk,
  resultOf,
  resultParameters,
  reversalBody,
  securityCredential,
  startCallbackReceiver,
  startTestEmulator,
  type TestEmulator,
} from "../support/emulator.ts";

const REVERSAL = "/mpesa/reversal/v1/request";
const OPENING_UTILITY_CENTS = 100_000 * 100;

let t: TestEmulator;
let receiver: CallbackReceiver;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator();
  receiver = await startCallbackReceiver();
  token = await fetchToken(t.baseUrl);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(() => {
  t.emulator.reset();
  receiver.received.length = 0;
});

let counter = 0;
async function reverse(receipt: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  const resultPath = `/reversal/result/ref_${counter}?sig=abc`;
  const timeoutPath = `/reversal/timeout/ref_${counter}?sig=abc`;
  const body = reversalBody(t.emulator, receipt, {
    ResultURL: receiver.url(resultPath),
    QueueTimeOutURL: receiver.url(timeoutPath),
    ...overrides,
  });
  const answer = await darajaPost(t.baseUrl, REVERSAL, token, body);
  return { answer, resultPath, timeoutPath };
}
const resultAt = (path: string) => receiver.waitFor((c) => c.url === path, 3_000);

describe("reversing a customer's payment", () => {
  it("money back to the payer from the Utility Account; the result names both receipts", async () => {
    const paid = await payByStk(t, token, "254708374149", 500);
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(OPENING_UTILITY_CENTS + 50_000);

    const { answer, resultPath } = await reverse(paid);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json ?? {})).toEqual([
      "OriginatorConversationID",
      "ConversationID",
      "ResponseCode",
      "ResponseDescription",
    ]);
    const delivered = await resultAt(resultPath);
    const result = resultOf(delivered);
    expect(result).toMatchObject({
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      OriginatorConversationID: answer.json?.OriginatorConversationID,
      ConversationID: answer.json?.ConversationID,
    });
    expect(delivered.body).toContain('{"Key":"Amount","Value":500.00}');
    expect(delivered.body).toContain("reversalresults\\/v1\\/submit");
    const parameters = resultParameters(result);
    expect(Object.keys(parameters)).toEqual([
      "DebitAccountBalance",
      "Amount",
      "TransCompletedTime",
      "OriginalTransactionID",
      "Charge",
      "CreditPartyPublicName",
      "DebitPartyPublicName",
    ]);
    expect(parameters).toMatchObject({
      DebitAccountBalance: "Utility Account|KES|100000.00|100000.00|0.00|0.00",
      OriginalTransactionID: paid,
      CreditPartyPublicName: "254708374149 - JOHN DOE",
      DebitPartyPublicName: "174379 - MALIPO",
    });

    const parsed = parseReversalResult(delivered.body);
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value).toMatchObject({
      originalTransactionId: paid,
      amount: 500,
      chargeCents: 0,
      receipt: result.TransactionID,
    });
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(OPENING_UTILITY_CENTS);
    expect(t.emulator.transactions.get(paid)?.reversedBy).toBe(result.TransactionID);

    const view = await (await fetch(`${t.baseUrl}/__emulator/phone/254708374149/prompt`)).json();
    expect(view.received[0].message).toMatch(
      new RegExp(
        `^${result.TransactionID} Confirmed\\. Transaction ${paid} has been reversed: KES 500\\.00 from MALIPO 174379`,
      ),
    );
  });

  it("a second reversal of the same receipt: R000001, and nothing paid twice", async () => {
    const paid = await payByStk(t, token, "254712000555", 300);
    expect(resultOf(await resultAt((await reverse(paid)).resultPath)).ResultCode).toBe(0);
    const second = resultOf(await resultAt((await reverse(paid)).resultPath));
    expect(second).toMatchObject({
      ResultCode: "R000001",
      ResultDesc: "The transaction has already been reversed.",
    });
    expect(second.TransactionID).toMatch(/^[A-Z0-9]{3}0000000$/);
    expect(
      t.emulator.transactions.list({ msisdn: "254712000555" }).filter((x) => x.kind === "reversal"),
    ).toHaveLength(1);
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(OPENING_UTILITY_CENTS);
  });

  it("two reversals sent at once: one reverses, the other is R000001", async () => {
    const paid = await payByStk(t, token, "254712000556", 300);
    const [a, b] = await Promise.all([reverse(paid), reverse(paid)]);
    const codes = [
      resultOf(await resultAt(a.resultPath)).ResultCode,
      resultOf(await resultAt(b.resultPath)).ResultCode,
    ];
    expect(codes.sort()).toEqual([0, "R000001"]);
  });

  it("a receipt M-Pesa does not know, or of another shortcode's payment: R000002", async () => {
    const unknown = resultOf(await resultAt((await reverse("UAF4X8K2PQ")).resultPath));
    expect(unknown).toMatchObject({
      ResultCode: "R000002",
      ResultDesc: "The OriginalTransactionID is invalid.",
    });
    const paid = await payByStk(t, token, "254708374149", 100);
    expect(
      resultOf(await resultAt((await reverse(paid, { ReceiverParty: "600000" })).resultPath)).ResultCode,
    ).toBe(2001);
  });

  it("the wrong SecurityCredential: 2001, nothing reversed", async () => {
    const paid = await payByStk(t, token, "254708374149", 100);
    const { resultPath } = await reverse(paid, {
      SecurityCredential: securityCredential(t.emulator, "wrong"),
    });
    expect(resultOf(await resultAt(resultPath)).ResultCode).toBe(2001);
    expect(t.emulator.transactions.get(paid)?.reversedBy).toBeNull();
  });

  it("an empty Utility Account: 1, the payment stays unreversed", async () => {
    const paid = await payByStk(t, token, "254708374149", 100);
    t.emulator.accounts.set("174379", { utilityKes: 50 });
    expect(resultOf(await resultAt((await reverse(paid)).resultPath)).ResultCode).toBe(1);
    expect(t.emulator.transactions.get(paid)?.reversedBy).toBeNull();
  });

  it("a payment from 254700008004 (result lost): reversed, but the result never comes", async () => {
    const paid = await payByStk(t, token, "254700008004", 200);
    const { answer } = await reverse(paid);
    const id = answer.json?.ConversationID as string;
    await t.emulator.conversations.waitFor((c) => c.conversationId === id && c.status === "completed");
    expect(t.emulator.results.list({ conversationId: id })).toMatchObject([{ status: "suppressed" }]);
    expect(t.emulator.transactions.get(paid)?.reversedBy).not.toBeNull();
  });
});

describe("what Daraja refuses synchronously", () => {
  it("the correctly spelt ReceiverIdentifierType is 'missing': 400.002.02 Invalid RecieverIdentifierType", async () => {
    const { RecieverIdentifierType: _sic, ...rest } = reversalBody(t.emulator, "UAF4X8K2PQ");
    const answer = await darajaPost(t.baseUrl, REVERSAL, token, { ...rest, ReceiverIdentifierType: "11" });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      errorCode: "400.002.02",
      errorMessage: "Bad Request - Invalid RecieverIdentifierType",
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["no Initiator", { Initiator: undefined }, "Initiator"],
    ["another CommandID", { CommandID: "TransactionStatusQuery" }, "CommandID"],
    ["a TransactionID that is not a receipt", { TransactionID: "UAF4X8" }, "TransactionID"],
    ["a lower-case TransactionID", { TransactionID: "uaf4x8k2pq" }, "TransactionID"],
    ["no Amount", { Amount: undefined }, "Amount"],
    ["a ReceiverParty that is not a shortcode", { ReceiverParty: "254708374149" }, "ReceiverParty"],
    ["RecieverIdentifierType 1", { RecieverIdentifierType: "1" }, "RecieverIdentifierType"],
    ["no ResultURL", { ResultURL: undefined }, "ResultURL"],
    ["no Remarks", { Remarks: undefined }, "Remarks"],
  ])("%s: Invalid %s", async (_, change, field) => {
    const answer = await darajaPost(
      t.baseUrl,
      REVERSAL,
      token,
      reversalBody(t.emulator, "UAF4X8K2PQ", change),
    );
    expect(answer.json).toMatchObject({
      errorCode: "400.002.02",
      errorMessage: `Bad Request - Invalid ${field}`,
    });
  });

  it("RecieverIdentifierType 4 (as some integrators send it) and numbers are accepted", async () => {
    const answer = await darajaPost(
      t.baseUrl,
      REVERSAL,
      token,
      reversalBody(t.emulator, "UAF4X8K2PQ", {
        RecieverIdentifierType: 4,
        Amount: 500,
        ReceiverParty: 174379,
      }),
    );
    expect(answer.status).toBe(200);
  });

  it("a missing or unknown token: 404.001.03, as on the other Lipa-na-M-Pesa paths", async () => {
    const answer = await darajaPost(t.baseUrl, REVERSAL, "nope", reversalBody(t.emulator, "UAF4X8K2PQ"));
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ errorCode: "404.001.03", errorMessage: "Invalid Access Token" });
  });
});

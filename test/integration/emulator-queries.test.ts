/**
 * Transaction Status and Account Balance against the real emulator over loopback: a lost payout
 * result settled by Transaction Status, queue timeouts told apart, a reversed payment reported, and
 * an Account Balance that adds up after payments in and payouts out.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAccountBalanceResult, parseTransactionStatusResult } from "../../src/daraja/query-results.ts";
import {
  accountBalanceBody,
  b2cBody,
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
  transactionStatusBody,
} from "../support/emulator.ts";

const STATUS = "/mpesa/transactionstatus/v1/query";
const BALANCE = "/mpesa/accountbalance/v1/query";
const B2C = "/mpesa/b2c/v3/paymentrequest";

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
/** Sends a request whose result comes to a path of its own; resolves with that result's body. */
async function ask(path: string, body: Record<string, unknown>) {
  counter += 1;
  const resultPath = `/result/${counter}?sig=abc`;
  const answer = await darajaPost(t.baseUrl, path, token, {
    ...body,
    ResultURL: receiver.url(resultPath),
    QueueTimeOutURL: receiver.url(`/timeout/${counter}`),
  });
  expect(answer.status, answer.text).toBe(200);
  const delivered = await receiver.waitFor((c) => c.url === resultPath, 3_000);
  return { answer, delivered, result: resultOf(delivered) };
}
const status = (fields: Record<string, unknown>) => ask(STATUS, transactionStatusBody(t.emulator, fields));

/** A payout whose outcome is the number's; resolves once the emulator has carried it out. */
async function payout(phone: string) {
  const body = b2cBody(t.emulator, phone, {
    ResultURL: receiver.url("/ignored"),
    QueueTimeOutURL: receiver.url("/ignored-t"),
  });
  const answer = await darajaPost(t.baseUrl, B2C, token, body);
  const id = answer.json?.ConversationID as string;
  await t.emulator.conversations.waitFor((c) => c.conversationId === id && c.status !== "pending");
  return String(body.OriginatorConversationID);
}

describe("Transaction Status", () => {
  it("settles a payout whose result was lost (254700008004), found by our OriginatorConversationID", async () => {
    const ours = await payout("254700008004");
    const { answer, delivered, result } = await status({ OriginalConversationID: ours });
    expect(Object.keys(answer.json ?? {})).toEqual([
      "OriginatorConversationID",
      "ConversationID",
      "ResponseCode",
      "ResponseDescription",
    ]);
    // The docs' odd key order.
    expect(Object.keys(result)).toEqual([
      "ConversationID",
      "OriginatorConversationID",
      "ReferenceData",
      "ResultCode",
      "ResultDesc",
      "ResultParameters",
      "ResultType",
      "TransactionID",
    ]);
    expect(result.ReferenceData).toEqual({ ReferenceItem: { Key: "Occasion", Value: "Reconcile" } });
    const paid = t.emulator.transactions.list({ msisdn: "254700008004" })[0];
    expect(resultParameters(result)).toMatchObject({
      DebitPartyName: "174379 - MALIPO",
      CreditPartyName: expect.stringMatching(/^254700008004 - /),
      OriginatorConversationID: ours,
      DebitAccountType: "Utility Account",
      DebitPartyCharges: "Fee For B2C Payment|KES|5.00",
      ReasonType: "Business Payment to Customer via API",
      TransactionStatus: "Completed",
      Amount: "450",
      ReceiptNo: paid?.receipt,
    });
    const parsed = parseTransactionStatusResult(delivered.body);
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value.transaction).toMatchObject({
      receipt: paid?.receipt,
      amount: 450,
      status: "Completed",
      originatorConversationId: ours,
    });
  });

  it("a queue timeout: paid anyway (254700008006) is Completed; never processed (254700008007) is 2032", async () => {
    const paid = await payout("254700008006");
    expect(resultParameters((await status({ OriginalConversationID: paid })).result).TransactionStatus).toBe(
      "Completed",
    );
    const unprocessed = await payout("254700008007");
    const { result } = await status({ OriginalConversationID: unprocessed });
    expect(result).toMatchObject({
      ResultCode: 2032,
      ResultDesc: "The transaction receipt number does not exist.",
    });
    expect(result).not.toHaveProperty("ResultParameters");
  });

  it("a customer's payment by receipt, and Reversed once it has been reversed", async () => {
    const receipt = await payByStk(t, token, "254708374149", 500);
    const before = resultParameters((await status({ TransactionID: receipt })).result);
    expect(before).toMatchObject({
      DebitPartyName: "254708374149 - JOHN DOE",
      CreditPartyName: "174379 - MALIPO",
      ReasonType: "Pay Bill Online",
      TransactionStatus: "Completed",
      Amount: "500",
      ReceiptNo: receipt,
    });
    await ask("/mpesa/reversal/v1/request", reversalBody(t.emulator, receipt));
    expect(resultParameters((await status({ TransactionID: receipt })).result).TransactionStatus).toBe(
      "Reversed",
    );
  });

  it("the Go SDK's shape: OriginatorConversationID as the key, an empty TransactionID, IdentifierType a number", async () => {
    const ours = await payout("254708374149");
    const { result } = await status({ TransactionID: "", OriginatorConversationID: ours, IdentifierType: 4 });
    expect(result.ResultCode).toBe(0);
  });

  it("unknown receipts, or a transaction of another party: 2032; a bad credential: 2001", async () => {
    expect((await status({ TransactionID: "UAF4X8K2PQ" })).result.ResultCode).toBe(2032);
    const receipt = await payByStk(t, token, "254708374149", 100);
    expect(
      (await status({ TransactionID: receipt, PartyA: "254711111111", IdentifierType: "1" })).result
        .ResultCode,
    ).toBe(2032);
    expect(
      (await status({ TransactionID: receipt, PartyA: "254708374149", IdentifierType: "1" })).result
        .ResultCode,
    ).toBe(0);
    const denied = await status({
      TransactionID: receipt,
      SecurityCredential: securityCredential(t.emulator, "x"),
    });
    expect(denied.result).toMatchObject({
      ResultCode: 2001,
      ReferenceData: { ReferenceItem: { Key: "Occasion", Value: "Reconcile" } },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["the docs' spaced keys", { CommandID: undefined, "Command ID": "TransactionStatusQuery" }, "CommandID"],
    ["neither TransactionID nor OriginalConversationID", {}, "TransactionID"],
    ["a TransactionID that is not a receipt", { TransactionID: "12" }, "TransactionID"],
    ["an unknown IdentifierType", { TransactionID: "UAF4X8K2PQ", IdentifierType: "9" }, "IdentifierType"],
    ["no PartyA", { TransactionID: "UAF4X8K2PQ", PartyA: undefined }, "PartyA"],
  ])("%s: Invalid %s", async (_, fields, field) => {
    const answer = await darajaPost(t.baseUrl, STATUS, token, transactionStatusBody(t.emulator, fields));
    expect(answer.json).toMatchObject({
      errorCode: "400.002.02",
      errorMessage: `Bad Request - Invalid ${field}`,
    });
  });

  it("a missing token: 400.003.01, as the Transaction Status docs say", async () => {
    const answer = await darajaPost(
      t.baseUrl,
      STATUS,
      null,
      transactionStatusBody(t.emulator, { TransactionID: "UAF4X8K2PQ" }),
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errorCode: "400.003.01", errorMessage: "Invalid Access Token" });
  });
});

describe("Account Balance", () => {
  it("tells the truth: opening float, + a payment in, − a payout and its charge", async () => {
    await payByStk(t, token, "254708374149", 500);
    await payout("254712000321");
    const { delivered, result } = await ask(BALANCE, accountBalanceBody(t.emulator));
    expect(resultParameters(result)).toMatchObject({
      ActionType: "AccountBalance",
      AccountBalance:
        "Working Account|KES|0.00|0.00|0.00|0.00&Utility Account|KES|100050.00|100050.00|0.00|0.00&" +
        "Charges Paid Account|KES|-5.00|-5.00|0.00|0.00&Organization Settlement Account|KES|0.00|0.00|0.00|0.00",
    });
    expect(delivered.body).toContain("abresults\\/v1\\/submit");
    const parsed = parseAccountBalanceResult(delivered.body);
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value.accounts?.find((a) => a.name === "Utility Account")?.availableCents).toBe(10_005_000);
    expect(parsed.value.completedAt).toBeInstanceOf(Date);
  });

  it("401.002.01 for a bad token, 2001 for a bad credential, Invalid IdentifierType for anything but 4", async () => {
    const noToken = await darajaPost(t.baseUrl, BALANCE, null, accountBalanceBody(t.emulator));
    expect(noToken.json).toMatchObject({ errorCode: "401.002.01" });
    const denied = await ask(
      BALANCE,
      accountBalanceBody(t.emulator, { SecurityCredential: securityCredential(t.emulator, "x") }),
    );
    expect(denied.result.ResultCode).toBe(2001);
    const wrongType = await darajaPost(
      t.baseUrl,
      BALANCE,
      token,
      accountBalanceBody(t.emulator, { IdentifierType: "1" }),
    );
    expect(wrongType.json?.errorMessage).toBe("Bad Request - Invalid IdentifierType");
  });
});

describe("the certificate and the control API", () => {
  it("GET /__emulator/certificate serves the PEM the SecurityCredential is made with", async () => {
    const response = await fetch(`${t.baseUrl}/__emulator/certificate`);
    expect(response.headers.get("content-type")).toMatch(/^application\/x-pem-file/);
    const pem = await response.text();
    expect(pem).toBe(t.emulator.certificatePem);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  });

  it("conversations, results, transactions, accounts and payout outcomes", async () => {
    const control = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${t.baseUrl}/__emulator${path}`, {
        method,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    expect(
      (await control("PUT", "/numbers/0712000777/payout-outcome", { outcome: "unregistered" })).json,
    ).toEqual({
      msisdn: "254712000777",
      outcome: "unregistered",
    });
    const ours = await payout("254712000777");
    const list = (await control("GET", `/conversations?originatorConversationId=${ours}`)).json
      .conversations as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ api: "b2c", outcome: "unregistered", result: { resultCode: 2040 } });
    expect(list[0]?.request).not.toHaveProperty("SecurityCredential");
    const one = await control("GET", `/conversations/${list[0]?.conversationId}`);
    expect((one.json.deliveries as unknown[]).length).toBe(1);
    expect((await control("GET", "/conversations/AG_nothing")).json).toMatchObject({
      error: { code: "CONVERSATION_NOT_FOUND" },
    });
    expect((await control("PUT", "/accounts/174379", { utilityKes: 12.5 })).json).toMatchObject({
      utilityCents: 1250,
    });
    expect((await control("PUT", "/accounts/999999", { utilityKes: 1 })).status).toBe(404);
    expect((await control("PUT", "/accounts/174379", { utilityKes: -1 })).status).toBe(400);
    expect((await control("GET", "/info")).json).toMatchObject({
      paths: { b2c: B2C, transactionStatus: STATUS, certificate: "/__emulator/certificate" },
      initiators: [{ name: "testapi", password: "Safaricom999!*!" }],
      payoutTestNumbers: expect.arrayContaining([
        expect.objectContaining({ msisdn: "254700008004", outcome: "result_lost" }),
      ]),
    });
    await control("DELETE", "/numbers/254712000777/payout-outcome");
    expect((await control("GET", "/payout-numbers")).json.overrides).toEqual([]);
    const home = await (await fetch(`${t.baseUrl}/__emulator`)).text();
    expect(home).toContain("254700008007");
    expect(home).toContain("Utility Account");
  });
});

/**
 * B2C payments against the real emulator over loopback: the v3 and v1 paths, Daraja's checks in
 * its order, the result POSTed to ResultURL exactly as given, the payout test numbers, the
 * organisation's Utility Account, and the faults (timeScale 0.01: results come in ~20 ms).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseB2cResult } from "../../src/daraja/payment-results.ts";
import { encryptSecurityCredential } from "../../src/daraja/security-credential.ts";
import { generateCredentialKeys } from "../../src/emulator/certificate.ts";
import { CONVERSATION_ID_PATTERN, REQUEST_ID_PATTERN } from "../../src/emulator/identifiers.ts";
import {
  b2cBody,
  type CallbackReceiver,
  darajaPost,
  fetchToken,
  resultOf,
  resultParameters,
  securityCredential,
  startCallbackReceiver,
  startTestEmulator,
  type TestEmulator,
} from "../support/emulator.ts";

const V3 = "/mpesa/b2c/v3/paymentrequest";
const V1 = "/mpesa/b2c/v1/paymentrequest";
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
/** Pays `phone` with result and timeout URLs unique to this payout. */
async function pay(phone: string | number, overrides: Record<string, unknown> = {}, path = V3) {
  counter += 1;
  const resultPath = `/b2c/result/pay_${counter}?sig=abc&n=${counter}`;
  const timeoutPath = `/b2c/timeout/pay_${counter}?sig=abc`;
  const body = b2cBody(t.emulator, phone, {
    ResultURL: receiver.url(resultPath),
    QueueTimeOutURL: receiver.url(timeoutPath),
    ...overrides,
  });
  const answer = await darajaPost(t.baseUrl, path, token, body);
  return { answer, body, resultPath, timeoutPath };
}
const resultAt = (path: string) => receiver.waitFor((c) => c.url === path, 3_000);
const settled = (conversationId: string) =>
  t.emulator.conversations.waitFor((c) => c.conversationId === conversationId && c.status !== "pending");

describe("a payout that goes through", () => {
  it("v3: accepted with our id, paid from the Utility Account, the result POSTed exactly where we said", async () => {
    const { answer, body, resultPath } = await pay("254708374149");
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("application/json;charset=UTF-8");
    expect(Object.keys(answer.json ?? {})).toEqual([
      "ConversationID",
      "OriginatorConversationID",
      "ResponseCode",
      "ResponseDescription",
    ]);
    expect(answer.json).toMatchObject({
      OriginatorConversationID: body.OriginatorConversationID,
      ResponseCode: "0",
      ResponseDescription: "Accept the service request successfully.",
    });
    expect(answer.json?.ConversationID).toMatch(CONVERSATION_ID_PATTERN);

    const delivered = await resultAt(resultPath);
    expect(delivered.method).toBe("POST");
    expect(delivered.headers["content-type"]).toBe("application/json");
    // Safaricom's encoder escapes slashes and prints balances with two decimals.
    expect(delivered.body).toContain(
      "https:\\/\\/internalsandbox.safaricom.co.ke\\/mpesa\\/b2cresults\\/v1\\/submit",
    );
    expect(delivered.body).toMatch(/"B2CChargesPaidAccountAvailableFunds","Value":-5\.00\}/);
    const result = resultOf(delivered);
    expect(Object.keys(result)).toEqual([
      "ResultType",
      "ResultCode",
      "ResultDesc",
      "OriginatorConversationID",
      "ConversationID",
      "TransactionID",
      "ResultParameters",
      "ReferenceData",
    ]);
    expect(result).toMatchObject({
      ResultType: 0,
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      OriginatorConversationID: body.OriginatorConversationID,
      ConversationID: answer.json?.ConversationID,
    });
    const parameters = resultParameters(result);
    expect(Object.keys(parameters)).toEqual([
      "ReceiverPartyPublicName",
      "TransactionCompletedDateTime",
      "B2CUtilityAccountAvailableFunds",
      "B2CWorkingAccountAvailableFunds",
      "B2CRecipientIsRegisteredCustomer",
      "B2CChargesPaidAccountAvailableFunds",
      "TransactionAmount",
      "TransactionReceipt",
    ]);
    expect(parameters.ReceiverPartyPublicName).toBe("254708374149 - JOHN DOE");
    expect(parameters.TransactionCompletedDateTime).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);

    // Our own client's parser reads it, and the facts match what was sent and what the books say.
    const parsed = parseB2cResult(delivered.body);
    if (!parsed.ok) throw parsed.error;
    const accounts = t.emulator.accounts.get("174379");
    expect(parsed.value).toMatchObject({
      resultCode: "0",
      amount: 450,
      receipt: result.TransactionID,
      recipient: { msisdn: "254708374149" },
      balances: { utilityAccountCents: OPENING_UTILITY_CENTS - 45_000, chargesPaidAccountCents: -500 },
    });
    expect(accounts).toEqual({
      workingCents: 0,
      utilityCents: OPENING_UTILITY_CENTS - 45_000,
      chargesPaidCents: -500,
    });
    expect(t.emulator.transactions.get(String(result.TransactionID))).toMatchObject({
      kind: "b2c_payment",
      msisdn: "254708374149",
      amount: 450,
      originatorConversationId: body.OriginatorConversationID,
    });
    expect(receiver.received.filter((c) => c.url === resultPath)).toHaveLength(1);
  });

  it("v1 (what most SDKs call): Daraja makes up the OriginatorConversationID; Occasion is fine", async () => {
    const { answer, resultPath } = await pay(
      254712345678,
      { OriginatorConversationID: undefined, Occassion: undefined, Occasion: "x", Amount: "450" },
      V1,
    );
    expect(answer.status).toBe(200);
    expect(answer.json?.OriginatorConversationID).toMatch(REQUEST_ID_PATTERN);
    const result = resultOf(await resultAt(resultPath));
    expect(result).toMatchObject({
      ResultCode: 0,
      OriginatorConversationID: answer.json?.OriginatorConversationID,
    });
    expect(resultParameters(result).ReceiverPartyPublicName).toMatch(/^254712345678 - [A-Z]+ [A-Z]+$/);
  });

  it("the phone that was paid shows the money received", async () => {
    const { resultPath } = await pay("254712000901");
    const receipt = resultOf(await resultAt(resultPath)).TransactionID as string;
    const view = await (await fetch(`${t.baseUrl}/__emulator/phone/254712000901/prompt`)).json();
    expect(view.received).toEqual([
      {
        receipt,
        message: expect.stringMatching(
          new RegExp(`^${receipt} Confirmed\\. You have received KES 450\\.00 from MALIPO 174379 on `),
        ),
      },
    ]);
    const page = await (await fetch(`${t.baseUrl}/__emulator/phone/254712000901`)).text();
    expect(page).toContain("Money received");
    expect(page).toContain(`${receipt} Confirmed. You have received KES 450.00`);
  });
});

describe("what Daraja refuses synchronously", () => {
  it("a second request with the same OriginatorConversationID: 500.002.1001, and nothing paid twice", async () => {
    const first = await pay("254708374149");
    await resultAt(first.resultPath);
    const again = await darajaPost(t.baseUrl, V3, token, first.body);
    expect(again.status).toBe(500);
    expect(again.json).toMatchObject({
      errorCode: "500.002.1001",
      errorMessage: "Duplicate OriginatorConversationID.",
    });
    expect(t.emulator.transactions.list({ msisdn: "254708374149" })).toHaveLength(1);
  });

  it("a missing or unknown token: 401.002.01, echoing what was sent", async () => {
    const body = b2cBody(t.emulator, "254708374149");
    const none = await darajaPost(t.baseUrl, V3, null, body);
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({
      errorCode: "401.002.01",
      errorMessage: "Error Occurred - Invalid Access Token - XXX",
    });
    const stale = await darajaPost(t.baseUrl, V1, "BJGFGOXv5aZnw90KkA4TDtu4Xdyf", body);
    expect(stale.json?.errorMessage).toBe(
      "Error Occurred - Invalid Access Token - BJGFGOXv5aZnw90KkA4TDtu4Xdyf",
    );
    expect(Object.keys(stale.json ?? {})).toEqual(["requestId", "errorCode", "errorMessage"]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "no OriginatorConversationID on v3",
      { OriginatorConversationID: undefined },
      "OriginatorConversationID",
    ],
    ["no InitiatorName", { InitiatorName: "" }, "InitiatorName"],
    ["no SecurityCredential", { SecurityCredential: undefined }, "SecurityCredential"],
    ["an unknown CommandID", { CommandID: "Withdraw" }, "CommandID"],
    ["a fractional Amount", { Amount: "10.50" }, "Amount"],
    ["a shortcode that is not one", { PartyA: "17" }, "PartyA"],
    ["a PartyB that is not a Kenyan mobile number", { PartyB: "0712345678" }, "PartyB"],
    ["one-character Remarks", { Remarks: "x" }, "Remarks"],
    ["a placeholder QueueTimeOutURL", { QueueTimeOutURL: "https://<domain>/t" }, "QueueTimeOutURL"],
    ["a ResultURL with a space", { ResultURL: "https://x.example/a b" }, "ResultURL"],
    ["two bad fields: the first one is named", { Amount: "x", Remarks: "" }, "Amount"],
  ])("%s: 400.002.02 Bad Request - Invalid <Field>", async (_, change, field) => {
    const answer = await darajaPost(t.baseUrl, V3, token, b2cBody(t.emulator, "254708374149", change));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      errorCode: "400.002.02",
      errorMessage: `Bad Request - Invalid ${field}`,
    });
    expect(t.emulator.conversations.list()).toHaveLength(0);
  });

  it("a body Daraja cannot read fails on its first field; other methods and paths as Daraja", async () => {
    const text = await darajaPost(t.baseUrl, V1, token, JSON.stringify(b2cBody(t.emulator, "254708374149")), {
      "Content-Type": "text/plain",
    });
    expect(text.json).toMatchObject({ errorMessage: "Bad Request - Invalid InitiatorName" });
    const get = await fetch(`${t.baseUrl}${V3}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
    const wrong = await darajaPost(t.baseUrl, "/mpesa/b2c/v2/paymentrequest", token, {});
    expect(wrong.status).toBe(404);
    expect(wrong.json).toMatchObject({ errorCode: "404.002.01", errorMessage: "Resource not found" });
  });
});

describe("results that are not a payment", () => {
  it("a SecurityCredential from another certificate is accepted, then fails with 2001; nothing moves", async () => {
    const other = await generateCredentialKeys();
    const forged = encryptSecurityCredential("Safaricom999!*!", other.certificatePem).reveal();
    const { answer, resultPath } = await pay("254708374149", { SecurityCredential: forged });
    expect(answer.status).toBe(200);
    const result = resultOf(await resultAt(resultPath));
    expect(result).toMatchObject({ ResultCode: 2001, ResultDesc: "The initiator information is invalid." });
    expect(result.TransactionID).toMatch(/^[A-Z0-9]{3}0000000$/);
    expect(result).not.toHaveProperty("ResultParameters");
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(OPENING_UTILITY_CENTS);
  });

  it.each<[string, Record<string, unknown>]>([
    ["an unknown initiator", { InitiatorName: "someone" }],
    ["the wrong password", { SecurityCredential: "WRONG" }],
    ["an organisation the emulator does not know", { PartyA: "600000" }],
  ])("%s: 2001", async (_, change) => {
    const wrong = change.SecurityCredential === "WRONG";
    const { resultPath } = await pay(
      "254708374149",
      wrong ? { SecurityCredential: securityCredential(t.emulator, "Safaricom999!*?") } : change,
    );
    expect(resultOf(await resultAt(resultPath)).ResultCode).toBe(2001);
  });

  it("254700008002 is not a registered customer: 2040, shaped like the 2026 capture", async () => {
    const { resultPath } = await pay("254700008002");
    const delivered = await resultAt(resultPath);
    const result = resultOf(delivered);
    expect(result).toMatchObject({
      ResultCode: 2040,
      ResultDesc:
        "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service .",
    });
    expect(result.TransactionID).toMatch(/^[A-Z0-9]{3}0000000$/);
    const parsed = parseB2cResult(delivered.body);
    expect(parsed.ok && parsed.value.receipt).toBeNull();
  });

  it("254700008003, or a Utility Account that is really too low: 1, with a real-looking TransactionID", async () => {
    const forced = resultOf(await resultAt((await pay("254700008003")).resultPath));
    expect(forced).toMatchObject({
      ResultCode: 1,
      ResultDesc: "The balance is insufficient for the transaction.",
    });
    expect(forced.TransactionID).toMatch(/^[A-Z0-9]{10}$/);
    t.emulator.accounts.set("174379", { utilityKes: 449 });
    const real = resultOf(await resultAt((await pay("254708374149", { Amount: 450 })).resultPath));
    expect(real.ResultCode).toBe(1);
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(44_900);
    // Funded again, the same payout (a new id) goes through.
    t.emulator.accounts.set("174379", { utilityKes: 1_000 });
    expect(resultOf(await resultAt((await pay("254708374149", { Amount: 450 })).resultPath)).ResultCode).toBe(
      0,
    );
  });

  it("below the B2C minimum of KES 10: result 2", async () => {
    const result = resultOf(await resultAt((await pay("254708374149", { Amount: 9 })).resultPath));
    expect(result.ResultCode).toBe(2);
  });
});

describe("payout test numbers for delivery", () => {
  it("254700008004: paid, but the result is never sent", async () => {
    const { answer } = await pay("254700008004");
    const conversation = await settled(answer.json?.ConversationID as string);
    expect(conversation.result?.resultCode).toBe(0);
    const [delivery] = t.emulator.results.list({ conversationId: conversation.conversationId });
    expect(delivery).toMatchObject({ status: "suppressed", note: expect.stringContaining("never sent") });
    expect(receiver.received).toHaveLength(0);
    expect(t.emulator.transactions.list({ msisdn: "254700008004" })).toHaveLength(1);
  });

  it("254700008005: the same result arrives twice", async () => {
    const { answer, resultPath } = await pay("254700008005");
    const id = answer.json?.ConversationID as string;
    await t.emulator.results.waitFor(
      (d) => d.conversationId === id && d.copy === "duplicate" && d.status === "answered",
    );
    const copies = receiver.received.filter((c) => c.url === resultPath);
    expect(copies).toHaveLength(2);
    expect(copies[1]?.body).toBe(copies[0]?.body);
    expect(t.emulator.transactions.list({ msisdn: "254700008005" })).toHaveLength(1);
  });

  it("254700008006: a notice to QueueTimeOutURL instead of the result — yet the payment is made", async () => {
    const { answer, resultPath, timeoutPath } = await pay("254700008006");
    const notice = resultOf(await resultAt(timeoutPath));
    expect(notice).toMatchObject({
      ResultCode: 1037,
      ResultDesc: "The service request has timed out.",
      ConversationID: answer.json?.ConversationID,
    });
    expect(receiver.received.filter((c) => c.url === resultPath)).toHaveLength(0);
    expect(t.emulator.transactions.list({ msisdn: "254700008006" })).toHaveLength(1);
  });

  it("254700008007: a queue-timeout notice, and nothing paid", async () => {
    const { answer, timeoutPath } = await pay("254700008007");
    await resultAt(timeoutPath);
    expect(t.emulator.conversations.get(answer.json?.ConversationID as string)?.status).toBe("timed_out");
    expect(t.emulator.transactions.list({ msisdn: "254700008007" })).toHaveLength(0);
    expect(t.emulator.accounts.get("174379").utilityCents).toBe(OPENING_UTILITY_CENTS);
  });
});

describe("faults", () => {
  it("asyncError and spikeArrest refuse the request; nothing is created", async () => {
    t.emulator.setFaults({ rates: { asyncError: 1 } });
    const error = await pay("254708374149");
    expect(error.answer.status).toBe(500);
    expect(error.answer.json).toMatchObject({
      errorCode: "500.002.1001",
      errorMessage: "System internal error.",
    });
    t.emulator.setFaults({ rates: { spikeArrest: 1 } });
    const spike = await pay("254708374149");
    expect(spike.answer.json).toMatchObject({ errorCode: "500.003.02" });
    expect(t.emulator.conversations.list()).toHaveLength(0);
    // Refused requests did not use up their OriginatorConversationID.
    t.emulator.setFaults({});
    expect((await darajaPost(t.baseUrl, V3, token, error.body)).status).toBe(200);
  });

  it("asyncResponseDropped: no answer reaches the client, but the payout is made and its result sent", async () => {
    t.emulator.setFaults({ rates: { asyncResponseDropped: 1 } });
    await expect(pay("254708374149")).rejects.toThrow();
    const [conversation] = t.emulator.conversations.list();
    expect(conversation?.responseLost).toBe(true);
    await resultAt((conversation?.resultUrl ?? "").replace(receiver.url(""), ""));
    // Resent with the same id: Daraja says it already has it.
    t.emulator.setFaults({});
    const again = await darajaPost(t.baseUrl, V3, token, {
      ...conversation?.request,
      SecurityCredential: securityCredential(t.emulator),
    });
    expect(again.json?.errorMessage).toBe("Duplicate OriginatorConversationID.");
  });

  it("resultLost, resultDuplicate and resultDelayed", async () => {
    t.emulator.setFaults({ rates: { resultLost: 1 } });
    const lost = await pay("254708374149");
    const lostId = lost.answer.json?.ConversationID as string;
    await settled(lostId);
    expect(t.emulator.results.list({ conversationId: lostId })).toMatchObject([
      { status: "suppressed", note: "fault: resultLost" },
    ]);

    t.emulator.setFaults({ rates: { resultDuplicate: 1, resultDelayed: 1 }, delayedCallbackMs: 5_000 });
    const twice = await pay("254708374149");
    const id = twice.answer.json?.ConversationID as string;
    await t.emulator.results.waitFor(
      (d) => d.conversationId === id && d.copy === "duplicate" && d.status === "answered",
    );
    expect(t.emulator.results.list({ conversationId: id }).map((d) => d.note)).toEqual([
      "fault: resultDelayed",
      "fault: resultDuplicate",
    ]);
    expect(receiver.received.filter((c) => c.url === twice.resultPath)).toHaveLength(2);
  });
});

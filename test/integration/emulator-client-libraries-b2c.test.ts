/**
 * B2C, Reversal, Transaction Status and Account Balance requests exactly as public Daraja client
 * libraries send them (read from their source), against the emulator — unmodified but for the base
 * URL and the certificate file they encrypt the initiator password with, which is configuration
 * (`GET /__emulator/certificate`):
 *
 * - safaricom/mpesa-node-library (axios): `src/endpoints/{b2c,reversal,transaction-status}.js`,
 *   `src/helpers/security.js` — v1 B2C, numbers for amounts and parties, `Occasion` left out when
 *   undefined, IdentifierType a number, the cert file from its config (`publicEncrypt`, PKCS#1).
 * - martinmogusu/django-daraja (requests): `django_daraja/mpesa/core.py` `b2c_payment` — v1,
 *   `Occassion` (sic), one URL for result and timeout, `certs/<environment>.cer` of the project.
 * - safaricom/mpesa-php-sdk (curl): `src/Mpesa.php` — the caller's strings, `json_encode` slashes,
 *   reversal and balance bodies starting with CommandID.
 * - jwambugu/mpesa-golang-sdk (net/http): `api-schema.go`, `mpesa.go` — Go struct key order,
 *   JSON numbers, an empty TransactionID next to OriginatorConversationID, https result URLs only.
 *   Its certificate is embedded (`certs/sandbox.cer`): that one file is the emulator's here.
 */
import { constants, publicEncrypt } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  basic,
  expectToken,
  goJson,
  OAUTH,
  phpJson,
  pythonJson,
  type RawAnswer,
  type RawSend,
  rawSender,
} from "../support/client-libraries.ts";
import {
  type CallbackReceiver,
  fetchToken,
  payByStk,
  resultOf,
  resultParameters,
  startCallbackReceiver,
  startTestEmulator,
  type TestEmulator,
} from "../support/emulator.ts";

const B2C_V1 = "/mpesa/b2c/v1/paymentrequest";
const REVERSAL = "/mpesa/reversal/v1/request";
const STATUS = "/mpesa/transactionstatus/v1/query";
const BALANCE = "/mpesa/accountbalance/v1/query";
const INITIATOR = "testapi";
const INITIATOR_PASSWORD = "Safaricom999!*!";

let t: TestEmulator;
let receiver: CallbackReceiver;
let send: RawSend;

beforeAll(async () => {
  t = await startTestEmulator();
  receiver = await startCallbackReceiver();
  send = rawSender(t.baseUrl);
});
beforeEach(() => {
  t.emulator.reset();
  receiver.received.length = 0;
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

/** What every library does with the certificate: RSA PKCS#1 v1.5 of the password, base64. */
const credential = () =>
  publicEncrypt(
    { key: t.emulator.certificatePem, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(INITIATOR_PASSWORD),
  ).toString("base64");

function expectAccepted(answer: RawAnswer, first: "ConversationID" | "OriginatorConversationID") {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe("application/json;charset=UTF-8");
  expect(Object.keys(answer.json ?? {})[0]).toBe(first);
  expect(answer.json).toMatchObject({
    ResponseCode: "0",
    ResponseDescription: "Accept the service request successfully.",
  });
  return {
    conversationId: answer.json?.ConversationID as string,
    originator: answer.json?.OriginatorConversationID as string,
  };
}

const resultAt = async (path: string) => resultOf(await receiver.waitFor((c) => c.url === path, 3_000));

describe("payouts, refunds and queries exactly as public Daraja client libraries send them", () => {
  it("safaricom/mpesa-node-library (axios): B2C, Transaction Status, Reversal — a new token each call", async () => {
    const receipt = await payByStk(t, await fetchToken(t.baseUrl), "254708374149", 100);
    const axios = [["Accept", "application/json, text/plain, */*"]];
    const post = async (path: string, body: Record<string, unknown>) => {
      const token = expectToken(
        await send("GET", OAUTH, [
          ...axios,
          ["Authorization", basic()],
          ["content-type", "application/json"],
          ["User-Agent", "axios/0.19.2"],
        ]),
      );
      return send(
        "POST",
        path,
        [
          ...axios,
          ["Content-Type", "application/json"],
          ["Authorization", `Bearer ${token}`],
          ["User-Agent", "axios/0.19.2"],
        ],
        JSON.stringify(body), // axios drops undefined values (Occasion)
      );
    };
    const b2c = expectAccepted(
      await post(B2C_V1, {
        InitiatorName: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "BusinessPayment",
        Amount: 100,
        PartyA: 174379,
        PartyB: 254708374149,
        Remarks: "B2C Payment",
        QueueTimeOutURL: receiver.url("/b2c/timeout"),
        ResultURL: receiver.url("/b2c/result"),
        Occasion: undefined,
      }),
      "ConversationID",
    );
    const paid = await resultAt("/b2c/result");
    expect(paid).toMatchObject({ ResultCode: 0, ConversationID: b2c.conversationId });

    expectAccepted(
      await post(STATUS, {
        Initiator: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "TransactionStatusQuery",
        TransactionID: paid.TransactionID,
        PartyA: 174379,
        IdentifierType: 4,
        ResultURL: receiver.url("/status/result"),
        QueueTimeOutURL: receiver.url("/status/timeout"),
        Remarks: "TransactionReversal",
        Occasion: "TransactionReversal",
      }),
      "OriginatorConversationID",
    );
    expect(resultParameters(await resultAt("/status/result"))).toMatchObject({
      ReceiptNo: paid.TransactionID,
      TransactionStatus: "Completed",
    });

    expectAccepted(
      await post(REVERSAL, {
        Initiator: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "TransactionReversal",
        TransactionID: receipt,
        Amount: 100,
        ReceiverParty: 174379,
        RecieverIdentifierType: "11",
        ResultURL: receiver.url("/reversal/result"),
        QueueTimeOutURL: receiver.url("/reversal/timeout"),
        Remarks: "Reversal",
        Occasion: "Reversal",
      }),
      "OriginatorConversationID",
    );
    expect(resultParameters(await resultAt("/reversal/result"))).toMatchObject({
      OriginalTransactionID: receipt,
    });
  });

  it("martinmogusu/django-daraja (requests): v1 B2C with Occassion, one callback URL for both", async () => {
    const requests = [
      ["User-Agent", "python-requests/2.31.0"],
      ["Accept-Encoding", "gzip, deflate"],
      ["Accept", "*/*"],
      ["Connection", "keep-alive"],
    ];
    const token = expectToken(
      await send("GET", "/oauth/v1/generate?grant_type=client_credentials", [
        ...requests,
        ["Authorization", basic()],
      ]),
    );
    const callbackUrl = receiver.url("/daraja/b2c?tx=42");
    const answer = await send(
      "POST",
      B2C_V1,
      [...requests, ["Authorization", `Bearer ${token}`], ["Content-type", "application/json"]],
      pythonJson({
        InitiatorName: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "BusinessPayment",
        Amount: 50,
        PartyA: "174379",
        PartyB: `254${"0712345678".slice(-9)}`,
        Remarks: "Payment for services",
        QueueTimeOutURL: callbackUrl,
        ResultURL: callbackUrl,
        Occassion: "Test",
      }),
    );
    expectAccepted(answer, "ConversationID");
    expect(await resultAt("/daraja/b2c?tx=42")).toMatchObject({ ResultCode: 0 });
  });

  it("safaricom/mpesa-php-sdk (curl): strings, escaped slashes, CommandID first for reversal and balance", async () => {
    const receipt = await payByStk(t, await fetchToken(t.baseUrl), "254708374149", 200);
    const curl = [["Accept", "*/*"]];
    const post = async (path: string, body: Record<string, unknown>) => {
      const token = expectToken(await send("GET", OAUTH, [...curl, ["Authorization", basic()]]));
      return send(
        "POST",
        path,
        [...curl, ["Content-Type", "application/json"], ["Authorization", `Bearer ${token}`]],
        phpJson(body),
      );
    };
    const url = (path: string) => receiver.url(path);
    expectAccepted(
      await post(B2C_V1, {
        InitiatorName: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "BusinessPayment",
        Amount: "150",
        PartyA: "174379",
        PartyB: "254712345678",
        Remarks: "Salary",
        QueueTimeOutURL: url("/php/b2c/timeout"),
        ResultURL: url("/php/b2c/result"),
        Occasion: "",
      }),
      "ConversationID",
    );
    const paid = await resultAt("/php/b2c/result");
    expect(paid.ResultCode).toBe(0);
    expectAccepted(
      await post(REVERSAL, {
        CommandID: "TransactionReversal",
        Initiator: INITIATOR,
        SecurityCredential: credential(),
        TransactionID: receipt,
        Amount: "200",
        ReceiverParty: "174379",
        RecieverIdentifierType: "11",
        ResultURL: url("/php/reversal/result"),
        QueueTimeOutURL: url("/php/reversal/timeout"),
        Remarks: "Refund",
        Occasion: "",
      }),
      "OriginatorConversationID",
    );
    expect((await resultAt("/php/reversal/result")).ResultCode).toBe(0);
    expectAccepted(
      await post(STATUS, {
        Initiator: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "TransactionStatusQuery",
        TransactionID: paid.TransactionID,
        PartyA: "174379",
        IdentifierType: "4",
        ResultURL: url("/php/status/result"),
        QueueTimeOutURL: url("/php/status/timeout"),
        Remarks: "Status",
        Occasion: "",
      }),
      "OriginatorConversationID",
    );
    expect((await resultAt("/php/status/result")).ResultCode).toBe(0);
    expectAccepted(
      await post(BALANCE, {
        CommandID: "AccountBalance",
        Initiator: INITIATOR,
        SecurityCredential: credential(),
        PartyA: "174379",
        IdentifierType: "4",
        Remarks: "Balance",
        QueueTimeOutURL: url("/php/balance/timeout"),
        ResultURL: url("/php/balance/result"),
      }),
      "OriginatorConversationID",
    );
    // 100,000 opening + 200 paid − 200 reversed − 150 paid out; 5 charged.
    expect(resultParameters(await resultAt("/php/balance/result")).AccountBalance).toContain(
      "Utility Account|KES|99850.00|99850.00|0.00|0.00&Charges Paid Account|KES|-5.00|",
    );
  });

  it("jwambugu/mpesa-golang-sdk (net/http): Go struct order, numbers, https URLs, status by OriginatorConversationID", async () => {
    const go = [["User-Agent", "Go-http-client/1.1"]];
    const token = expectToken(
      await send("GET", OAUTH, [...go, ["Authorization", basic()], ["Accept-Encoding", "gzip"]]),
    );
    const post = (path: string, body: Record<string, unknown>) =>
      send(
        "POST",
        path,
        [
          ...go,
          ["Content-Type", "application/json"],
          ["Authorization", `Bearer ${token}`],
          ["Accept-Encoding", "gzip"],
        ],
        goJson(body),
      );
    const b2c = expectAccepted(
      await post(B2C_V1, {
        InitiatorName: INITIATOR,
        SecurityCredential: credential(),
        CommandID: "BusinessPayment",
        Amount: 10,
        PartyA: 174379,
        PartyB: 254708374149,
        Remarks: "Test",
        QueueTimeOutURL: receiver.url("/go/b2c/timeout?a=1&b=2"),
        ResultURL: receiver.url("/go/b2c/result?a=1&b=2"),
        Occasion: "",
      }),
      "ConversationID",
    );
    expect((await resultAt("/go/b2c/result?a=1&b=2")).ResultCode).toBe(0);

    // GetTransactionStatus refuses anything but https result URLs before sending.
    const https = (path: string) => receiver.url(path).replace(/^http:/, "https:");
    const status = expectAccepted(
      await post(STATUS, {
        CommandID: "TransactionStatusQuery",
        IdentifierType: 4,
        Initiator: INITIATOR,
        Occasion: "",
        OriginatorConversationID: b2c.originator,
        PartyA: "174379",
        QueueTimeOutURL: https("/go/status/timeout"),
        Remarks: "Status",
        ResultURL: https("/go/status/result"),
        SecurityCredential: credential(),
        TransactionID: "",
      }),
      "OriginatorConversationID",
    );
    const found = await t.emulator.conversations.waitFor(
      (c) => c.conversationId === status.conversationId && c.status === "completed",
    );
    expect(found.result?.resultCode).toBe(0);
    // The emulator tried to deliver exactly there (over https, which the plain receiver refuses).
    const delivery = await t.emulator.results.waitFor(
      (d) => d.conversationId === status.conversationId && (d.status === "answered" || d.status === "failed"),
    );
    expect(delivery.url).toBe(https("/go/status/result"));

    const balance = expectAccepted(
      await post(BALANCE, {
        CommandID: "AccountBalance",
        IdentifierType: 4,
        Initiator: INITIATOR,
        PartyA: 174379,
        QueueTimeOutURL: https("/go/balance/timeout"),
        Remarks: "Balance",
        ResultURL: https("/go/balance/result"),
        SecurityCredential: credential(),
      }),
      "OriginatorConversationID",
    );
    const balanced = await t.emulator.conversations.waitFor(
      (c) => c.conversationId === balance.conversationId && c.status === "completed",
    );
    expect(balanced.result?.resultCode).toBe(0);
  });
});

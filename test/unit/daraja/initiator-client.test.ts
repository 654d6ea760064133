/**
 * The client's B2C, Reversal, Transaction Status and Account Balance calls against a scripted
 * Daraja: what is sent, what the acceptance gives back, and what may be resent after a failure —
 * a B2C and a reversal once per call (a lost answer is `outcome_unknown`), the queries with backoff,
 * each once more after a refused token. Without an initiator nothing is sent.
 */
import { describe, expect, it } from "vitest";
import { B2C_PAYMENT_PATH } from "../../../src/daraja/b2c-request.ts";
import { isDuplicateOriginatorConversationId } from "../../../src/daraja/initiator-response.ts";
import { ACCOUNT_BALANCE_PATH, TRANSACTION_STATUS_PATH } from "../../../src/daraja/query-requests.ts";
import { REVERSAL_PATH } from "../../../src/daraja/reversal-request.ts";
import { Secret } from "../../../src/secret.ts";
import { caught } from "../../support/daraja.ts";
import { daraja, envelope, type Handler, harness, json, type Reply } from "./support.ts";

const initiator = {
  name: "testapi",
  securityCredential: new Secret("Q1JFREVOVElBTA=="),
  b2cShortcode: "600992",
};
const urls = {
  resultUrl: "https://malipo.example/api/v1/payments/mpesa/b2c/result?kind=payout&id=pyt_1&sig=abc",
  queueTimeoutUrl: "https://malipo.example/api/v1/payments/mpesa/b2c/timeout?kind=payout&id=pyt_1&sig=abc",
};
const payout = {
  originatorConversationId: "pyt_1-1",
  phoneNumber: "254708374149",
  amount: 450,
  remarks: "Payout",
  ...urls,
};
const reversal = { transactionId: "UAF1234567", amount: 500, remarks: "Refund", ...urls };

const accepted = (originator = "pyt_1-1"): Reply =>
  json(200, {
    ConversationID: "AG_20260115_00004e6d1f2a1e0c3c1b",
    OriginatorConversationID: originator,
    ResponseCode: "0",
    ResponseDescription: "Accept the service request successfully.",
  });

function client(handler: Handler, withInitiator = true) {
  return harness(daraja(handler), { timeoutMs: 50, ...(withInitiator ? { initiator } : {}) });
}
const sentTo = (h: ReturnType<typeof client>, path: string) => h.calls.filter((c) => c.path === path);

describe("B2C payment", () => {
  it("sends the v3 body as the B2C shortcode and answers Daraja's ids", async () => {
    const h = client(() => accepted());
    await expect(h.client.b2cPayment(payout)).resolves.toEqual({
      conversationId: "AG_20260115_00004e6d1f2a1e0c3c1b",
      originatorConversationId: "pyt_1-1",
      responseCode: "0",
      responseDescription: "Accept the service request successfully.",
    });
    expect(sentTo(h, B2C_PAYMENT_PATH).map((c) => c.body)).toEqual([
      expect.objectContaining({
        OriginatorConversationID: "pyt_1-1",
        InitiatorName: "testapi",
        SecurityCredential: "Q1JFREVOVElBTA==",
        PartyA: "600992",
        PartyB: "254708374149",
        Amount: 450,
        ResultURL: urls.resultUrl,
        QueueTimeOutURL: urls.queueTimeoutUrl,
      }),
    ]);
  });

  it("is sent once: a timeout or a 5xx is an unknown outcome, not a refusal", async () => {
    const hung = client(() => ({ hang: true }));
    const timeout = await caught(hung.client.b2cPayment(payout));
    expect(timeout).toMatchObject({ kind: "outcome_unknown", operation: "b2c_payment", retryable: false });
    const broken = client(() => envelope(503, "503.001.01", "Service Unavailable"));
    expect(await caught(broken.client.b2cPayment(payout))).toMatchObject({ kind: "outcome_unknown" });
    expect(sentTo(broken, B2C_PAYMENT_PATH)).toHaveLength(1);
  });

  it("a duplicate OriginatorConversationID means an earlier request was accepted", async () => {
    const h = client(() => envelope(500, "500.002.1001", "Duplicate OriginatorConversationID."));
    const error = await caught(h.client.b2cPayment(payout));
    expect(isDuplicateOriginatorConversationId(error)).toBe(true);
    expect(error.kind).toBe("rejected");
  });

  it("does not take an acceptance naming another OriginatorConversationID as ours", async () => {
    const h = client(() => accepted("someone-else"));
    expect(await caught(h.client.b2cPayment(payout))).toMatchObject({
      kind: "outcome_unknown",
      underlying: "unexpected_response",
    });
  });

  it("is resent once after a refused token", async () => {
    const h = client((_e, calls) =>
      calls.filter((c) => c.path === B2C_PAYMENT_PATH).length === 1
        ? envelope(401, "401.002.01", "Error Occurred - Invalid Access Token - abc")
        : accepted(),
    );
    await h.client.b2cPayment(payout);
    expect(sentTo(h, B2C_PAYMENT_PATH)).toHaveLength(2);
    expect(h.tokensSent()).toBe(2);
  });
});

describe("Reversal", () => {
  it("is asked as the collecting shortcode, under Safaricom's spelling", async () => {
    const h = client(() => accepted("AG_x-1"));
    await h.client.reversal(reversal);
    expect(sentTo(h, REVERSAL_PATH)[0]?.body).toMatchObject({
      Initiator: "testapi",
      CommandID: "TransactionReversal",
      TransactionID: "UAF1234567",
      ReceiverParty: "174379",
      RecieverIdentifierType: "11",
    });
  });

  it("is never resent by itself", async () => {
    const h = client(() => ({ status: 502, text: "" }));
    expect(await caught(h.client.reversal(reversal))).toMatchObject({ kind: "outcome_unknown" });
    expect(sentTo(h, REVERSAL_PATH)).toHaveLength(1);
  });
});

describe("the queries", () => {
  it("Transaction Status is asked as the party given, and retried after a server error", async () => {
    const h = client((_e, calls) =>
      calls.filter((c) => c.path === TRANSACTION_STATUS_PATH).length === 1
        ? envelope(503, "503.001.01", "Service Unavailable")
        : accepted("AG_q-1"),
    );
    await h.client.transactionStatus({
      originalConversationId: "pyt_1-1",
      remarks: "Status",
      party: "payouts",
      ...urls,
    });
    const sent = sentTo(h, TRANSACTION_STATUS_PATH);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toMatchObject({
      OriginalConversationID: "pyt_1-1",
      PartyA: "600992",
      IdentifierType: "4",
    });
    await h.client.transactionStatus({
      transactionId: "UAF1234567",
      remarks: "Status",
      party: "collections",
      ...urls,
    });
    expect(sentTo(h, TRANSACTION_STATUS_PATH)[2]?.body).toMatchObject({
      TransactionID: "UAF1234567",
      PartyA: "174379",
    });
  });

  it("Account Balance is asked as the B2C shortcode", async () => {
    const h = client(() => accepted("AG_b-1"));
    await h.client.accountBalance({ remarks: "Float", ...urls });
    expect(sentTo(h, ACCOUNT_BALANCE_PATH)[0]?.body).toMatchObject({
      PartyA: "600992",
      CommandID: "AccountBalance",
    });
  });
});

describe("without an initiator", () => {
  it("refuses every call locally, sending nothing", async () => {
    const h = client(() => accepted(), false);
    for (const call of [
      () => h.client.b2cPayment(payout),
      () => h.client.reversal(reversal),
      () =>
        h.client.transactionStatus({ transactionId: "UAF1234567", remarks: "x1", party: "payouts", ...urls }),
      () => h.client.accountBalance({ remarks: "x1", ...urls }),
    ])
      expect(await caught(call())).toMatchObject({
        kind: "validation",
        local: true,
        field: "SecurityCredential",
      });
    expect(h.calls).toHaveLength(0);
  });
});

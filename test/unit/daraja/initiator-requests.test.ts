/**
 * Request builders, acceptance reading and the SecurityCredential for B2C, Reversal, Transaction
 * Status and Account Balance: bad input is refused locally naming Daraja's field, credentials never
 * appear in a message, and a client method is "build, post, read" with these functions.
 */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type B2cPaymentInput,
  buildB2cPaymentBody,
  validateB2cPaymentInput,
} from "../../../src/daraja/b2c-request.ts";
import { DarajaError } from "../../../src/daraja/errors.ts";
import type { InitiatorParty } from "../../../src/daraja/initiator-request.ts";
import { readInitiatorAcceptance } from "../../../src/daraja/initiator-response.ts";
import {
  buildAccountBalanceBody,
  buildTransactionStatusBody,
  validateAccountBalanceInput,
  validateTransactionStatusInput,
} from "../../../src/daraja/query-requests.ts";
import { buildReversalBody, validateReversalInput } from "../../../src/daraja/reversal-request.ts";
import {
  encryptSecurityCredential,
  SecurityCredentialError,
} from "../../../src/daraja/security-credential.ts";
import { generateCredentialKeys, processCredentialKeys } from "../../../src/emulator/certificate.ts";
import { decryptSecurityCredential } from "../../../src/emulator/credentials.ts";
import { Secret } from "../../../src/secret.ts";

const urls = {
  resultUrl: "https://malipo.example/api/v1/payments/mpesa/b2c/result?id=pay_1&sig=abc",
  queueTimeoutUrl: "https://malipo.example/api/v1/payments/mpesa/b2c/timeout?id=pay_1&sig=abc",
};
const party: InitiatorParty = {
  shortcode: "600992",
  initiatorName: "testapi",
  securityCredential: new Secret("RC6E9WDxXR4b9X2c6z3gp0oC5Th=="),
};
const payout: B2cPaymentInput = {
  originatorConversationId: "pay_01HZX9",
  phoneNumber: "0712 345 678",
  amount: 450,
  remarks: "Payout for booking BK12345 #1",
  ...urls,
};

function refused(run: () => unknown): DarajaError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DarajaError);
    expect((error as DarajaError).local).toBe(true);
    expect((error as DarajaError).kind).toBe("validation");
    return error as DarajaError;
  }
  throw new Error("expected a refusal");
}

describe("B2C", () => {
  it("the v3 body: our payout id, the canonical number, whole KES, cleaned remarks, URLs exactly as given", () => {
    const body = buildB2cPaymentBody(
      party,
      validateB2cPaymentInput({ ...payout, occasion: "Booking BK12345" }),
    );
    expect(body).toEqual({
      OriginatorConversationID: "pay_01HZX9",
      InitiatorName: "testapi",
      SecurityCredential: "RC6E9WDxXR4b9X2c6z3gp0oC5Th==",
      CommandID: "BusinessPayment",
      Amount: 450,
      PartyA: "600992",
      PartyB: "254712345678",
      Remarks: "Payout for booking BK12345 1",
      QueueTimeOutURL: urls.queueTimeoutUrl,
      ResultURL: urls.resultUrl,
      Occassion: "Booking BK12345",
    });
  });

  it.each<[string, Partial<B2cPaymentInput>, string]>([
    ["an amount below the B2C minimum", { amount: 9 }, "Amount"],
    ["a fractional amount", { amount: 10.5 }, "Amount"],
    ["an amount above the maximum", { amount: 250_001 }, "Amount"],
    ["a number that is not Kenyan", { phoneNumber: "+1 555 0100" }, "PartyB"],
    ["no payout id", { originatorConversationId: "" }, "OriginatorConversationID"],
    ["a payout id with spaces", { originatorConversationId: "pay 1" }, "OriginatorConversationID"],
    ["remarks with nothing printable", { remarks: "!!" }, "Remarks"],
    ["a placeholder URL", { resultUrl: "https://<your-domain>/result" }, "ResultURL"],
    ["a non-http URL", { queueTimeoutUrl: "ftp://malipo.example/t" }, "QueueTimeOutURL"],
    ["an unknown command", { commandId: "Withdraw" as "BusinessPayment" }, "CommandID"],
  ])("refuses %s", (_, change, field) => {
    expect(refused(() => validateB2cPaymentInput({ ...payout, ...change })).field).toBe(field);
  });

  it("refuses a malformed party without revealing its credential", () => {
    const payment = validateB2cPaymentInput(payout);
    expect(refused(() => buildB2cPaymentBody({ ...party, shortcode: "12" }, payment)).field).toBe("PartyA");
    const error = refused(() =>
      buildB2cPaymentBody({ ...party, securityCredential: new Secret("not base64 at all!") }, payment),
    );
    expect(error.field).toBe("SecurityCredential");
    expect(JSON.stringify(error.toJSON())).not.toContain("not base64");
  });
});

describe("Reversal, Transaction Status, Account Balance", () => {
  it("a reversal names the receipt and the shortcode, under Safaricom's misspelt key", () => {
    const body = buildReversalBody(
      { ...party, shortcode: "174379" },
      validateReversalInput({ transactionId: "UAF4X8K2PQ", amount: 500, remarks: "Refund BK12345", ...urls }),
    );
    expect(body).toMatchObject({
      TransactionID: "UAF4X8K2PQ",
      ReceiverParty: "174379",
      RecieverIdentifierType: "11",
    });
    expect(body).not.toHaveProperty("ReceiverIdentifierType");
    expect(
      refused(() => validateReversalInput({ transactionId: "UAF0000000", amount: 1, remarks: "ok", ...urls }))
        .field,
    ).toBe("TransactionID");
  });

  it("a status query by OriginatorConversationID alone leaves TransactionID out", () => {
    const body = buildTransactionStatusBody(
      party,
      validateTransactionStatusInput({
        originalConversationId: "pay_01HZX9",
        remarks: "Payout status",
        ...urls,
      }),
    );
    expect(body).not.toHaveProperty("TransactionID");
    expect(body).toMatchObject({
      OriginalConversationID: "pay_01HZX9",
      CommandID: "TransactionStatusQuery",
      IdentifierType: "4",
    });
    expect(refused(() => validateTransactionStatusInput({ remarks: "Payout status", ...urls })).field).toBe(
      "TransactionID",
    );
  });

  it("an account balance query asks for the shortcode's accounts", () => {
    expect(
      buildAccountBalanceBody(party, validateAccountBalanceInput({ remarks: "Float check", ...urls })),
    ).toEqual({
      Initiator: "testapi",
      SecurityCredential: "RC6E9WDxXR4b9X2c6z3gp0oC5Th==",
      CommandID: "AccountBalance",
      PartyA: "600992",
      IdentifierType: "4",
      Remarks: "Float check",
      QueueTimeOutURL: urls.queueTimeoutUrl,
      ResultURL: urls.resultUrl,
    });
  });
});

describe("acceptance", () => {
  const answer = (status: number, body: unknown) => ({
    status,
    contentType: "application/json",
    text: typeof body === "string" ? body : JSON.stringify(body),
  });
  const accepted = {
    ConversationID: "AG_20260115_2010",
    OriginatorConversationID: "pay_01HZX9",
    ResponseCode: "0",
    ResponseDescription: "Accept the service request successfully.",
  };

  it("an acceptance for another OriginatorConversationID is not ours", () => {
    expect(readInitiatorAcceptance("b2c_payment", answer(200, accepted), "pay_01HZX9").conversationId).toBe(
      "AG_20260115_2010",
    );
    expect(() => readInitiatorAcceptance("b2c_payment", answer(200, accepted), "pay_other")).toThrow(
      /another OriginatorConversationID/,
    );
  });

  it("ResponseCode other than 0 is a rejection; an unreadable 200 is an unknown outcome for money out, resendable for queries", () => {
    expect(() =>
      readInitiatorAcceptance("b2c_payment", answer(200, { ...accepted, ResponseCode: "21" })),
    ).toThrow(expect.objectContaining({ kind: "rejected", errorCode: "21" }));
    for (const [operation, kind, retryable] of [
      ["b2c_payment", "outcome_unknown", false],
      ["reversal", "outcome_unknown", false],
      ["transaction_status", "unexpected_response", true],
      ["account_balance", "unexpected_response", true],
    ] as const) {
      expect(() => readInitiatorAcceptance(operation, answer(200, { ResponseCode: "0" }))).toThrow(
        expect.objectContaining({ kind, retryable }),
      );
      expect(() => readInitiatorAcceptance(operation, answer(200, "<html>ok</html>"))).toThrow(
        expect.objectContaining({ kind, retryable }),
      );
    }
  });
});

describe("SecurityCredential", () => {
  it("encrypts with the certificate: the holder of the private key reads the password back", async () => {
    const keys = await processCredentialKeys();
    const credential = encryptSecurityCredential(new Secret("Safaricom999!*!"), keys.certificatePem);
    expect(credential).toBeInstanceOf(Secret);
    expect(String(credential)).toBe("[redacted]");
    expect(Buffer.from(credential.reveal(), "base64")).toHaveLength(256);
    expect(decryptSecurityCredential(credential.reveal(), keys)).toBe("Safaricom999!*!");
    // Random padding: two encryptions differ, both decrypt.
    expect(encryptSecurityCredential("Safaricom999!*!", keys.certificatePem).reveal()).not.toBe(
      credential.reveal(),
    );
    // A certificate in base64 DER (no PEM armour) works too.
    const der = new X509Certificate(keys.certificatePem).raw.toString("base64");
    expect(decryptSecurityCredential(encryptSecurityCredential("pw", der).reveal(), keys)).toBe("pw");
  });

  it("another key pair cannot read it", async () => {
    const keys = await processCredentialKeys();
    const other = await generateCredentialKeys();
    expect(
      decryptSecurityCredential(encryptSecurityCredential("pw", other.certificatePem).reveal(), keys),
    ).not.toBe("pw");
  });

  it.each<[string, string, string, SecurityCredentialError["problem"]]>([
    ["an empty password", "", "cert", "password_missing"],
    ["a password longer than the key can hold", "p".repeat(246), "cert", "password_too_long"],
    [
      "a file that is not a certificate",
      "Safaricom999!*!",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      "certificate_invalid",
    ],
  ])("refuses %s, without the password in the message", async (_, password, certificate, problem) => {
    const pem = certificate === "cert" ? (await processCredentialKeys()).certificatePem : certificate;
    let error: unknown;
    try {
      encryptSecurityCredential(password, pem);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SecurityCredentialError);
    expect((error as SecurityCredentialError).problem).toBe(problem);
    if (password !== "") expect((error as Error).message).not.toContain(password);
  });
});

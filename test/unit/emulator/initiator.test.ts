/**
 * The emulator's B2C / reversal / query pieces on their own: request validation in Daraja's field
 * order, the payout test numbers, charges and balance strings, the certificate and credential
 * check, and result bodies that our own client's parsers read back exactly.
 */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseB2cResult, parseReversalResult } from "../../../src/daraja/payment-results.ts";
import {
  parseAccountBalanceResult,
  parseTransactionStatusResult,
} from "../../../src/daraja/query-results.ts";
import { accountBalancesOf } from "../../../src/daraja/result-values.ts";
import { encryptSecurityCredential } from "../../../src/daraja/security-credential.ts";
import {
  accountBalanceString,
  B2C_CHARGE_BANDS_KES,
  b2cChargeKes,
  formatCents,
} from "../../../src/emulator/accounts.ts";
import { processCredentialKeys } from "../../../src/emulator/certificate.ts";
import type { Conversation } from "../../../src/emulator/conversations.ts";
import { decryptSecurityCredential } from "../../../src/emulator/credentials.ts";
import {
  validateB2c,
  validateReversal,
  validateTransactionStatus,
} from "../../../src/emulator/initiator-validation.ts";
import { builtInOutcomeFor } from "../../../src/emulator/outcomes.ts";
import {
  builtInPayoutOutcomeFor,
  PAYOUT_OUTCOMES,
  PAYOUT_TEST_NUMBERS,
  payoutPlanFor,
} from "../../../src/emulator/payout-outcomes.ts";
import {
  accountBalanceResult,
  b2cSuccessResult,
  failureResult,
  reversalSuccessResult,
  transactionStatusResult,
  writeResultJson,
} from "../../../src/emulator/result-payloads.ts";
import type { MpesaTransaction } from "../../../src/emulator/transactions.ts";

const b2c = {
  OriginatorConversationID: "pay_1",
  InitiatorName: "testapi",
  SecurityCredential: "abc==",
  CommandID: "BusinessPayment",
  Amount: "450",
  PartyA: 174379,
  PartyB: 254708374149,
  Remarks: "Payout",
  QueueTimeOutURL: "https://malipo.example/t",
  ResultURL: "https://malipo.example/r?id=1&sig=x",
};

describe("request validation", () => {
  it("B2C fields are checked in the documented order, numbers or strings", () => {
    expect(validateB2c(b2c, "v3")).toMatchObject({
      ok: true,
      value: { amount: 450, partyA: "174379", partyB: "254708374149" },
    });
    const invalid = (body: unknown, version: "v1" | "v3" = "v3") => {
      const v = validateB2c(body, version);
      return v.ok ? null : v.rejection.errorMessage;
    };
    expect(invalid("not an object")).toBe("Bad Request - Invalid OriginatorConversationID");
    expect(invalid(undefined, "v1")).toBe("Bad Request - Invalid InitiatorName");
    expect(invalid({ ...b2c, CommandID: "x", Amount: "x" })).toBe("Bad Request - Invalid CommandID");
    expect(invalid({ ...b2c, Amount: 0 })).toBe("Bad Request - Invalid Amount");
    expect(invalid({ ...b2c, Amount: 250_001 })).toBe("Bad Request - Invalid Amount");
    expect(invalid({ ...b2c, Occassion: "x".repeat(101) })).toBe("Bad Request - Invalid Occasion");
  });

  it("a reversal wants Safaricom's spelling; a status query one id or the other", () => {
    const reversal = {
      Initiator: "testapi",
      SecurityCredential: "abc",
      CommandID: "TransactionReversal",
      TransactionID: "UAF4X8K2PQ",
      Amount: 1,
      ReceiverParty: "174379",
      RecieverIdentifierType: "11",
      ResultURL: "https://x.example/r",
      QueueTimeOutURL: "https://x.example/t",
      Remarks: "Refund",
    };
    expect(validateReversal(reversal).ok).toBe(true);
    const { RecieverIdentifierType: _sic, ...rest } = reversal;
    const spelt = validateReversal({ ...rest, ReceiverIdentifierType: "11" });
    expect(spelt.ok || spelt.rejection.errorMessage).toBe("Bad Request - Invalid RecieverIdentifierType");
    const status = {
      Initiator: "testapi",
      SecurityCredential: "abc",
      CommandID: "TransactionStatusQuery",
      OriginalConversationID: "pay_1",
      PartyA: "174379",
      IdentifierType: "4",
      ResultURL: "https://x.example/r",
      QueueTimeOutURL: "https://x.example/t",
      Remarks: "Status",
    };
    expect(validateTransactionStatus(status)).toMatchObject({
      ok: true,
      value: { transactionId: null, originalConversationId: "pay_1" },
    });
  });
});

describe("payout test numbers", () => {
  it("live in 2547000080xx, each with its own outcome; every other number is paid", () => {
    expect(PAYOUT_TEST_NUMBERS.every((t) => /^2547000080\d\d$/.test(t.msisdn))).toBe(true);
    expect(new Set(PAYOUT_TEST_NUMBERS.map((t) => t.outcome))).toEqual(new Set(PAYOUT_OUTCOMES));
    expect(builtInPayoutOutcomeFor("254708374149")).toBe("pay");
    expect(builtInPayoutOutcomeFor("254711111111")).toBe("pay");
    // They pay STK prompts too, so a payment from one can be reversed with its outcome.
    expect(builtInOutcomeFor("254700008004")).toBe("pay");
    expect(builtInOutcomeFor("254712345678")).toBe("interactive");
  });

  it("a plan for every outcome; unregistered is moot for a reversal", () => {
    for (const outcome of PAYOUT_OUTCOMES) expect(payoutPlanFor(outcome, "b2c")).toHaveProperty("delivery");
    expect(payoutPlanFor("unregistered", "b2c").forced).toBe("unregistered");
    expect(payoutPlanFor("unregistered", "reversal").forced).toBeNull();
    expect(payoutPlanFor("queue_timeout_unprocessed", "b2c")).toEqual({
      processed: false,
      forced: null,
      delivery: "timeout_notice",
    });
  });
});

describe("accounts", () => {
  it("charges by band, never negative, monotonic", () => {
    expect(b2cChargeKes(10)).toBe(0);
    expect(b2cChargeKes(450)).toBe(5);
    expect(b2cChargeKes(250_000)).toBe(13);
    const charges = B2C_CHARGE_BANDS_KES.map((b) => b.charge);
    expect([...charges].sort((a, b) => a - b)).toEqual(charges);
  });

  it("balance strings in Daraja's format, read back by the client", () => {
    expect(formatCents(-198000)).toBe("-1980.00");
    expect(formatCents(5)).toBe("0.05");
    const text = accountBalanceString({ workingCents: 0, utilityCents: 10_005_050, chargesPaidCents: -500 });
    expect(accountBalancesOf(text, "x").map((a) => [a.name, a.availableCents])).toEqual([
      ["Working Account", 0],
      ["Utility Account", 10_005_050],
      ["Charges Paid Account", -500],
      ["Organization Settlement Account", 0],
    ]);
  });
});

describe("the certificate and the credential check", () => {
  it("a valid self-signed X.509 RSA certificate whose private key decrypts credentials", async () => {
    const keys = await processCredentialKeys();
    const cert = new X509Certificate(keys.certificatePem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
    expect(
      decryptSecurityCredential(encryptSecurityCredential("pw", keys.certificatePem).reveal(), keys),
    ).toBe("pw");
    for (const garbage of ["", "not base64!", "QUJD", "A".repeat(344), "A".repeat(5000)])
      expect(decryptSecurityCredential(garbage, keys)).not.toBe("pw");
  });
});

describe("result bodies read back by our own client", () => {
  const c = {
    conversationId: "AG_20260115_2010364430d9bbdaf872",
    originatorConversationId: "pay_1",
    api: "b2c",
    shortcode: "174379",
  } as Conversation;
  const t: MpesaTransaction = {
    receipt: "UAF4X8K2PQ",
    kind: "b2c_payment",
    shortcode: "174379",
    organisationName: "MALIPO",
    msisdn: "254708374149",
    customerName: "JOHN DOE",
    amount: 450,
    chargeKes: 5,
    commandId: "BusinessPayment",
    initiatedAt: new Date("2026-01-15T09:00:00Z"),
    completedAt: new Date("2026-01-15T09:00:02Z"),
    conversationId: c.conversationId,
    originatorConversationId: "pay_1",
    checkoutRequestId: null,
    originalReceipt: "UAE1AAAAAA",
    reversedBy: null,
  };
  const ok = {
    resultCode: 0,
    resultDesc: "The service request is processed successfully.",
    transactionId: "UAF4X8K2PQ",
  };
  const balances = { workingCents: 0, utilityCents: 99_955_00, chargesPaidCents: -500 };

  it("B2C: decimals, escaped slashes, every fact", () => {
    const text = writeResultJson(b2cSuccessResult(c, ok, t, balances));
    expect(text).toContain('"Value":-5.00}');
    expect(text).toContain("https:\\/\\/internalsandbox");
    const parsed = parseB2cResult(text);
    expect(parsed.ok && parsed.value).toMatchObject({
      receipt: "UAF4X8K2PQ",
      amount: 450,
      completedAt: new Date("2026-01-15T09:00:02Z"),
      balances: { utilityAccountCents: 99_955_00, chargesPaidAccountCents: -500, workingAccountCents: 0 },
    });
  });

  it("reversal, status, balance and failures", () => {
    const reversal = parseReversalResult(
      writeResultJson(
        reversalSuccessResult(
          { ...c, api: "reversal" },
          ok,
          { ...t, kind: "reversal", chargeKes: 0 },
          balances,
        ),
      ),
    );
    expect(reversal.ok && reversal.value).toMatchObject({
      originalTransactionId: "UAE1AAAAAA",
      amount: 450,
      chargeCents: 0,
    });
    const status = parseTransactionStatusResult(
      writeResultJson(transactionStatusResult({ ...c, api: "transaction_status" }, ok, t, "x")),
    );
    expect(status.ok && status.value).toMatchObject({
      occasion: "x",
      transaction: { receipt: "UAF4X8K2PQ", status: "Completed", amount: 450 },
    });
    const balance = parseAccountBalanceResult(
      writeResultJson(accountBalanceResult({ ...c, api: "account_balance" }, ok, balances, t.completedAt)),
    );
    expect(balance.ok && balance.value.accounts?.length).toBe(4);
    const failed = parseB2cResult(
      writeResultJson(failureResult(c, { resultCode: 2040, resultDesc: "x", transactionId: "UAF0000000" })),
    );
    expect(failed.ok && failed.value).toMatchObject({
      resultCode: "2040",
      transactionId: null,
      receipt: null,
    });
  });
});

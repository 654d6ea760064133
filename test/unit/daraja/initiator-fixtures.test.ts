/**
 * Every real B2C, Reversal, Transaction Status and Account Balance payload in the shared fixtures
 * folder, through our request builders, acceptance reader and result parsers. Files are found by
 * prefix, so a new fixture is tested as soon as it is added (and one nobody expects fails loudly).
 */
import { describe, expect, it } from "vitest";
import { buildB2cPaymentBody, validateB2cPaymentInput } from "../../../src/daraja/b2c-request.ts";
import { DarajaError, type DarajaErrorKind } from "../../../src/daraja/errors.ts";
import type { InitiatorParty } from "../../../src/daraja/initiator-request.ts";
import {
  type InitiatorOperation,
  isDuplicateOriginatorConversationId,
  readInitiatorAcceptance,
} from "../../../src/daraja/initiator-response.ts";
import { classifyInitiatorResult } from "../../../src/daraja/initiator-result-codes.ts";
import { parseB2cResult, parseReversalResult } from "../../../src/daraja/payment-results.ts";
import { isCanonicalMsisdn } from "../../../src/daraja/phone.ts";
import {
  buildTransactionStatusBody,
  validateTransactionStatusInput,
} from "../../../src/daraja/query-requests.ts";
import {
  accountNamed,
  parseAccountBalanceResult,
  parseTransactionStatusResult,
} from "../../../src/daraja/query-results.ts";
import type { ParsedResult, ResultHeader } from "../../../src/daraja/result-envelope.ts";
import { buildReversalBody, validateReversalInput } from "../../../src/daraja/reversal-request.ts";
import { Secret } from "../../../src/secret.ts";
import { fixture, fixtureNames, fixtureText, statusForErrorCode } from "./support.ts";

type Json = Record<string, unknown>;

const FAMILIES: ReadonlyArray<[string, InitiatorOperation]> = [
  ["b2c-", "b2c_payment"],
  ["reversal-", "reversal"],
  ["transaction-status-", "transaction_status"],
  ["account-balance-", "account_balance"],
];

const PARSERS: Record<InitiatorOperation, (body: unknown) => ParsedResult<ResultHeader>> = {
  b2c_payment: parseB2cResult,
  reversal: parseReversalResult,
  transaction_status: parseTransactionStatusResult,
  account_balance: parseAccountBalanceResult,
};

const served = (name: string) => {
  const body = fixture(name) as Json;
  const status = typeof body.errorCode === "string" ? statusForErrorCode(body.errorCode) : 200;
  return { status, contentType: "application/json;charset=UTF-8", text: fixtureText(name) };
};

const party = (shortcode: string, initiatorName: string): InitiatorParty => ({
  shortcode,
  initiatorName,
  securityCredential: new Secret("c2VjcmV0LWNyZWRlbnRpYWw="),
});

it("every family has fixtures of each kind", () => {
  for (const [prefix] of FAMILIES) {
    expect(fixtureNames(prefix).length, prefix).toBeGreaterThan(0);
    expect(fixtureNames(`${prefix}result-`).length, `${prefix}result-`).toBeGreaterThan(0);
  }
});

describe("request fixtures: our bodies carry the documented keys, in the documented order", () => {
  it.each(FAMILIES.flatMap(([prefix]) => fixtureNames(`${prefix}request-`)))("%s", (name) => {
    const doc = fixture(name) as Json;
    // The Transaction Status sample spells two keys with spaces (a doc bug); Daraja wants them without.
    const expectedKeys = Object.keys(doc).map((k) => k.replace(/\s+/g, ""));
    let body: Json;
    if (name.startsWith("b2c-")) {
      body = {
        ...buildB2cPaymentBody(
          party(String(doc.PartyA), String(doc.InitiatorName)),
          validateB2cPaymentInput({
            originatorConversationId: String(doc.OriginatorConversationID),
            phoneNumber: String(doc.PartyB),
            amount: Number(doc.Amount),
            commandId: "BusinessPayment",
            remarks: String(doc.Remarks),
            occasion: String(doc.Occassion),
            resultUrl: String(doc.ResultURL),
            queueTimeoutUrl: String(doc.QueueTimeOutURL),
          }),
        ),
      };
    } else if (name.startsWith("reversal-")) {
      body = {
        ...buildReversalBody(
          party(String(doc.ReceiverParty), String(doc.Initiator)),
          validateReversalInput({
            transactionId: String(doc.TransactionID),
            amount: Number(doc.Amount),
            remarks: String(doc.Remarks),
            resultUrl: String(doc.ResultURL),
            queueTimeoutUrl: String(doc.QueueTimeOutURL),
          }),
        ),
      };
    } else {
      expect(name.startsWith("transaction-status-"), `unexpected request fixture ${name}`).toBe(true);
      body = {
        ...buildTransactionStatusBody(
          party(String(doc.PartyA), String(doc.Initiator)),
          validateTransactionStatusInput({
            transactionId: String(doc["Transaction ID"] ?? doc.TransactionID),
            originalConversationId: String(doc.OriginalConversationID),
            remarks: String(doc.Remarks),
            occasion: String(doc.Occasion),
            resultUrl: String(doc.ResultURL),
            queueTimeoutUrl: String(doc.QueueTimeOutURL),
          }),
        ),
      };
    }
    expect(Object.keys(body)).toEqual(expectedKeys);
    for (const [key, sent] of Object.entries(body)) {
      if (key === "SecurityCredential") continue;
      const documented = doc[key] ?? doc[key.replace(/^(Command|Transaction)ID$/, "$1 ID")];
      expect(String(sent), key).toBe(String(documented));
    }
  });
});

describe("acceptance fixtures", () => {
  it.each(
    FAMILIES.flatMap(([prefix, op]) => fixtureNames(`${prefix}response-`).map((n) => [n, op] as const)),
  )("%s", (name, operation) => {
    const doc = fixture(name) as Json;
    expect(readInitiatorAcceptance(operation, served(name))).toEqual({
      conversationId: doc.ConversationID,
      originatorConversationId: doc.OriginatorConversationID,
      responseCode: "0",
      responseDescription: doc.ResponseDescription,
    });
  });
});

/** What each error fixture must become, keyed by a part of its file name. */
const ERROR_EXPECTATIONS: ReadonlyArray<[RegExp, DarajaErrorKind, string | null, boolean]> = [
  [/duplicate-originatorconversationid/, "rejected", null, false],
  [/invalid-access-token/, "authentication", null, false],
  // A B2C may have been accepted behind a 5xx that proves no refusal (operations.ts: same_id).
  [/system-internal-error/, "outcome_unknown", null, false],
  [/invalid-recieveridentifiertype/, "validation", "RecieverIdentifierType", false],
  [/invalid-transactionid/, "validation", "TransactionID", false],
];

describe("error fixtures", () => {
  it.each(FAMILIES.flatMap(([prefix, op]) => fixtureNames(`${prefix}error-`).map((n) => [n, op] as const)))(
    "%s",
    (name, operation) => {
      const doc = fixture(name) as Json;
      const expectation = ERROR_EXPECTATIONS.find(([pattern]) => pattern.test(name));
      expect(expectation, `add an expectation for ${name} to ERROR_EXPECTATIONS`).toBeDefined();
      const [, kind, field, retryable] = expectation ?? [];
      let error: unknown;
      try {
        readInitiatorAcceptance(operation, served(name));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DarajaError);
      expect(error).toMatchObject({
        kind,
        operation,
        retryable,
        errorCode: doc.errorCode,
        requestId: doc.requestId,
        field,
        httpStatus: statusForErrorCode(String(doc.errorCode)),
      });
      expect(isDuplicateOriginatorConversationId(error)).toBe(name.includes("duplicate"));
      // An access token Daraja echoes back never reaches our messages.
      expect(JSON.stringify((error as DarajaError).toJSON())).not.toContain("BJGFGOXv5aZnw90KkA4TDtu4Xdyf");
    },
  );
});

describe("result fixtures", () => {
  const results = FAMILIES.flatMap(([prefix, op]) =>
    fixtureNames(`${prefix}result-`).map((n) => [n, op] as const),
  );
  it.each(results)("%s", (name, operation) => {
    let body = fixture(name) as Json;
    // One production account-balance failure was logged as the inner Result object only.
    if (body.Result === undefined) body = { Result: body };
    const raw = body.Result as Json;
    const parsed = PARSERS[operation](body);
    if (!parsed.ok) throw parsed.error;
    const result = parsed.value;
    expect(PARSERS[operation](JSON.stringify(body))).toEqual(parsed);

    expect(result.resultCode).toBe(String(raw.ResultCode));
    expect(result.resultDesc).toBe(raw.ResultDesc);
    expect(result.conversationId).toBe(raw.ConversationID);
    expect(result.originatorConversationId).toBe(raw.OriginatorConversationID);
    expect(result.rawTransactionId).toBe(raw.TransactionID);
    expect(result.transactionId === null).toBe(/0000000$/.test(String(raw.TransactionID)));

    const classification = classifyInitiatorResult(operation, result.resultCode);
    expect(classification.outcome, "every fixture's code is in the table").not.toBe("unknown");
    expect(classification.outcome === "succeeded").toBe(!/-failure-|insufficient/.test(name));
    if (/-2001-/.test(name))
      expect(classification).toMatchObject({ outcome: "failed", reason: "initiator_invalid" });
    if (/-2040-/.test(name))
      expect(classification).toMatchObject({ outcome: "failed", reason: "recipient_unsupported" });
    if (/insufficient-balance-1/.test(name)) expect(classification.outcome).toBe("insufficient_funds");
    if (/R000002/.test(name))
      expect(classification).toMatchObject({ outcome: "failed", reason: "original_transaction_invalid" });
    if (classification.outcome !== "succeeded") return;

    if (operation === "b2c_payment") {
      const b2c = parseB2cResult(body);
      if (!b2c.ok) throw b2c.error;
      const v = b2c.value;
      expect(v.receipt).toBe(raw.TransactionID);
      expect(Number.isInteger(v.amount)).toBe(true);
      expect(v.amount).toBeGreaterThan(0);
      expect(isCanonicalMsisdn(v.recipient?.msisdn ?? "")).toBe(true);
      expect(v.recipient?.name).toBe("JOHN DOE");
      expect(v.recipientRegistered).toBe(true);
      expect(v.completedAt?.getTime()).toBeGreaterThan(Date.UTC(2018, 0, 1));
      for (const cents of Object.values(v.balances)) expect(Number.isInteger(cents)).toBe(true);
    }
  });

  it("B2C success: every value, as Daraja wrote it", () => {
    const parsed = parseB2cResult(fixtureText("b2c-result-success-docs-v3.json"));
    expect(parsed.ok && parsed.value).toMatchObject({
      receipt: "SG632NMUAB",
      amount: 10,
      recipient: { msisdn: "254708374149", name: "JOHN DOE", identifier: "254708374149" },
      completedAt: new Date("2024-07-06T19:48:52Z"),
      balances: {
        utilityAccountCents: 895926960,
        workingAccountCents: 119937100,
        chargesPaidAccountCents: -198000,
      },
      referenceData: {
        QueueTimeoutURL: "https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit",
      },
    });
  });

  it("Reversal success: the original receipt, amount, parties and utility balance", () => {
    const parsed = parseReversalResult(fixture("reversal-result-success-docs-v3.json"));
    expect(parsed.ok && parsed.value).toMatchObject({
      receipt: "SKE52PAWR9",
      originalTransactionId: "SKC82PACB8",
      amount: 1,
      chargeCents: 0,
      completedAt: new Date("2021-11-14T10:27:11Z"),
      creditParty: { msisdn: "254708374149" },
      debitParty: { identifier: "600992", name: "Safaricom Daraja 992", msisdn: null },
      debitAccountBalance: { name: "Utility Account", currency: "KES", availableCents: 772217962 },
    });
  });

  it("Transaction Status: the transaction found, with both debit parties", () => {
    const parsed = parseTransactionStatusResult(fixture("transaction-status-result-docs-v3.json"));
    expect(parsed.ok && parsed.value).toMatchObject({
      transactionId: null,
      rawTransactionId: "MBN0000000",
      occasion: null,
      transaction: {
        receipt: "MBN31H462N",
        status: "Completed",
        amount: 300,
        originatorConversationId: "3211-416020-3",
        conversationId: "AG_20180223_000041b09c22e613d6c9",
        debitAccountType: "Utility Account",
        debitPartyCharges: "Fee For B2C Payment|KES|22.40",
        transactionReason: null,
        finalisedAt: new Date("2018-02-23T02:41:12Z"),
      },
    });
    if (!parsed.ok) return;
    expect(parsed.value.transaction?.debitParties.map((p) => p.identifier)).toEqual([
      "600310",
      "254708374149",
    ]);
  });

  it("Account Balance: every account of the & separated string, in cents", () => {
    const parsed = parseAccountBalanceResult(fixture("account-balance-result-success-docs-v3.json"));
    if (!parsed.ok) throw parsed.error;
    const accounts = parsed.value.accounts;
    expect(accounts?.map((a) => a.name)).toEqual([
      "Working Account",
      "Float Account",
      "Utility Account",
      "Charges Paid Account",
      "Organization Settlement Account",
    ]);
    expect(accountNamed(accounts, "utility account")?.availableCents).toBe(22803700);
    expect(accountNamed(accounts, "Charges Paid Account")?.currentCents).toBe(-154000);
    expect(parsed.value.resultType).toBe("0");
    expect(parsed.value.completedAt).toEqual(new Date("2020-01-09T09:57:10Z"));
  });
});

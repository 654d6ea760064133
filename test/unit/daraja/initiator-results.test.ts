/**
 * The result parsers on inputs the fixtures do not show: every shape variant Daraja is known to use,
 * and hostile or broken bodies, which must come back as a typed refusal — never an exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyInitiatorResult,
  KNOWN_INITIATOR_RESULT_CODES,
} from "../../../src/daraja/initiator-result-codes.ts";
import { parseB2cResult, parseReversalResult } from "../../../src/daraja/payment-results.ts";
import {
  parseAccountBalanceResult,
  parseTransactionStatusResult,
} from "../../../src/daraja/query-results.ts";
import { MAX_RESULT_BYTES, ResultParseError } from "../../../src/daraja/result-envelope.ts";

type Json = Record<string, unknown>;

const b2cSuccess = (overrides: Json = {}, parameters: unknown = undefined): Json => ({
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: "The service request is processed successfully.",
    OriginatorConversationID: "pay_01HZX",
    ConversationID: "AG_20260115_2010364430d9bbdaf872",
    TransactionID: "UAF4X8K2PQ",
    ResultParameters: {
      ResultParameter: parameters ?? [
        { Key: "TransactionAmount", Value: 450 },
        { Key: "TransactionReceipt", Value: "UAF4X8K2PQ" },
        { Key: "ReceiverPartyPublicName", Value: "0712345678 - JANE WANJIKU" },
        { Key: "TransactionCompletedDateTime", Value: "15.01.2026 12:00:06" },
        { Key: "B2CUtilityAccountAvailableFunds", Value: "99545.00" },
      ],
    },
    ...overrides,
  },
});

function refusal(parsed: { ok: boolean; error?: ResultParseError }): ResultParseError {
  expect(parsed.ok).toBe(false);
  expect(parsed.error).toBeInstanceOf(ResultParseError);
  return parsed.error as ResultParseError;
}

describe("shapes Daraja uses", () => {
  it("a local recipient number, a string balance and the EAT completion time", () => {
    const parsed = parseB2cResult(b2cSuccess());
    expect(parsed.ok && parsed.value).toMatchObject({
      receipt: "UAF4X8K2PQ",
      amount: 450,
      recipient: { identifier: "0712345678", msisdn: "254712345678", name: "JANE WANJIKU" },
      completedAt: new Date("2026-01-15T09:00:06Z"),
      balances: { utilityAccountCents: 9954500, workingAccountCents: null, chargesPaidAccountCents: null },
      recipientRegistered: null,
    });
  });

  it("ResultParameter as a single object, codes and types as strings, keys in any order", () => {
    const parsed = parseAccountBalanceResult({
      Result: {
        ResultParameters: {
          ResultParameter: { Key: "AccountBalance", Value: "Utility Account|KES|10.50|10.50|0.00|0.00" },
        },
        ResultCode: "0",
        ResultType: "0",
        TransactionID: "UAF0000000",
        ConversationID: "AG_20260115_0000",
        ResultDesc: "ok",
        OriginatorConversationID: "1-2-3",
      },
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      resultCode: "0",
      resultType: "0",
      transactionId: null,
      accounts: [{ name: "Utility Account", currentCents: 1050, availableCents: 1050 }],
    });
  });

  it("keys with spaces (old Transaction Status docs) read like the unspaced ones", () => {
    const parsed = parseTransactionStatusResult({
      Result: {
        "Conversation ID": "AG_20180223_0000493344ae97d86f75",
        "Originator Conversation ID": "3213-416199-2",
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        ResultParameters: {
          ResultParameter: [
            { Key: "Receipt No", Value: "MBN31H462N" },
            { Key: "Transaction Status", Value: "Completed" },
            { Key: "Amount", Value: 300 },
          ],
        },
        "Transaction ID": "MBN0000000",
      },
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      conversationId: "AG_20180223_0000493344ae97d86f75",
      originatorConversationId: "3213-416199-2",
      transaction: { receipt: "MBN31H462N", status: "Completed", amount: 300 },
    });
  });

  it("a string ResultCode R000001 and a failure without parameters", () => {
    const parsed = parseReversalResult({
      Result: {
        ResultType: 0,
        ResultCode: "R000001",
        ResultDesc: "The transaction has already been reversed.",
        OriginatorConversationID: "f1e2-4b95-a71d-b30d3cdbb7a7735297",
        ConversationID: "AG_20260115_201018edbbf9f1582eaa",
        TransactionID: "UAF0000000",
      },
    });
    expect(parsed.ok && parsed.value).toMatchObject({ resultCode: "R000001", receipt: null, amount: null });
    expect(classifyInitiatorResult("reversal", "R000001").outcome).toBe("already_reversed");
  });

  it("escaped slashes are plain JSON", () => {
    const text = JSON.stringify(
      b2cSuccess({
        ReferenceData: { ReferenceItem: { Key: "QueueTimeoutURL", Value: "https://x.example/a/b" } },
      }),
    ).replace(/\//g, "\\/");
    const parsed = parseB2cResult(text);
    expect(parsed.ok && parsed.value.referenceData.QueueTimeoutURL).toBe("https://x.example/a/b");
  });
});

describe("refusals", () => {
  it.each<[string, unknown, string]>([
    ["not JSON", '{"Result":', "body"],
    ["not an object", "[1,2]", "body"],
    ["no Result", { Body: {} }, "Result"],
    ["Result not an object", { Result: "x" }, "Result"],
    [
      "no ResultCode",
      { Result: { ...(b2cSuccess().Result as Json), ResultCode: undefined } },
      "Result.ResultCode",
    ],
    ["a ResultCode object", b2cSuccess({ ResultCode: { code: 0 } }), "Result.ResultCode"],
    ["a fractional ResultCode", b2cSuccess({ ResultCode: 0.5 }), "Result.ResultCode"],
    ["an id with spaces", b2cSuccess({ ConversationID: "AG 1" }), "Result.ConversationID"],
    ["an oversized receipt", b2cSuccess({ TransactionID: "A".repeat(40) }), "Result.TransactionID"],
    ["a lower-case receipt", b2cSuccess({ TransactionID: "uaf4x8k2pq" }), "Result.TransactionID"],
    [
      "a parameter receipt that is not one",
      b2cSuccess({}, [{ Key: "TransactionReceipt", Value: "<script>" }]),
      "Result.ResultParameters.TransactionReceipt",
    ],
    [
      "a fractional amount",
      b2cSuccess({}, [{ Key: "TransactionAmount", Value: 10.5 }]),
      "Result.ResultParameters.TransactionAmount",
    ],
    [
      "an amount that is not a number",
      b2cSuccess({}, [{ Key: "TransactionAmount", Value: "ten" }]),
      "Result.ResultParameters.TransactionAmount",
    ],
    [
      "a receipt that differs from TransactionID",
      b2cSuccess({}, [{ Key: "TransactionReceipt", Value: "UAF4X8K2PZ" }]),
      "Result.TransactionID",
    ],
    [
      "an object as a parameter value",
      b2cSuccess({}, [{ Key: "TransactionAmount", Value: { n: 1 } }]),
      "Result.ResultParameters.ResultParameter[0].Value",
    ],
    [
      "a malformed completion time",
      b2cSuccess({}, [{ Key: "TransactionCompletedDateTime", Value: "2026-01-15 12:00" }]),
      "Result.ResultParameters.TransactionCompletedDateTime",
    ],
    [
      "a key spelt two ways with different values",
      b2cSuccess({ "Conversation ID": "AG_other" }),
      "Result.ConversationID",
    ],
    [
      "too many parameters",
      b2cSuccess(
        {},
        Array.from({ length: 101 }, (_, i) => ({ Key: `K${i}`, Value: i })),
      ),
      "Result.ResultParameters",
    ],
    ["too large", JSON.stringify(b2cSuccess({ ResultDesc: "x".repeat(MAX_RESULT_BYTES) })), "body"],
  ])("%s", (_, body, path) => {
    expect(refusal(parseB2cResult(body)).path).toBe(path);
  });

  it("a malformed balance string is refused, naming the account", () => {
    const body = b2cSuccess({}, [{ Key: "AccountBalance", Value: "Working Account|KES|1.00&Utility" }]);
    expect(refusal(parseAccountBalanceResult(body)).path).toBe("Result.ResultParameters.AccountBalance[0]");
  });

  it("no input whatsoever makes a parser throw", () => {
    const parsers = [
      parseB2cResult,
      parseReversalResult,
      parseTransactionStatusResult,
      parseAccountBalanceResult,
    ];
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.anything()), (input) => {
        for (const parse of parsers) {
          const parsed = parse(input);
          if (!parsed.ok) expect(parsed.error).toBeInstanceOf(ResultParseError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("result-code tables", () => {
  it("B2C: 1 keeps the payout waiting, 2040 and 2001 fail it for good", () => {
    expect(classifyInitiatorResult("b2c_payment", 1)).toEqual({ outcome: "insufficient_funds", code: "1" });
    expect(classifyInitiatorResult("b2c_payment", "2040")).toMatchObject({
      outcome: "failed",
      reason: "recipient_unsupported",
      retryable: false,
    });
    expect(classifyInitiatorResult("b2c_payment", 2001)).toMatchObject({
      outcome: "failed",
      reason: "initiator_invalid",
    });
    expect(classifyInitiatorResult("b2c_payment", " 0 ")).toEqual({ outcome: "succeeded", code: "0" });
  });

  it("the same code means what its own API says it means", () => {
    expect(classifyInitiatorResult("reversal", "R000001").outcome).toBe("already_reversed");
    expect(classifyInitiatorResult("b2c_payment", "R000001").outcome).toBe("unknown");
    expect(classifyInitiatorResult("transaction_status", 2032).outcome).toBe("not_found");
    expect(classifyInitiatorResult("account_balance", 1).outcome).toBe("unknown");
  });

  it("every known code has a definite meaning with words for an admin", () => {
    for (const [operation, codes] of Object.entries(KNOWN_INITIATOR_RESULT_CODES))
      for (const code of codes) {
        const c = classifyInitiatorResult(operation as keyof typeof KNOWN_INITIATOR_RESULT_CODES, code);
        expect(c.outcome).not.toBe("unknown");
        if (c.outcome === "failed") expect(c.description.length).toBeGreaterThan(10);
      }
  });

  it("an unknown code is never a success", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer()), (code) => {
        for (const operation of Object.keys(KNOWN_INITIATOR_RESULT_CODES) as Array<
          keyof typeof KNOWN_INITIATOR_RESULT_CODES
        >) {
          const c = classifyInitiatorResult(operation, code);
          if (String(code).trim() !== "0") expect(c.outcome).not.toBe("succeeded");
          if (!KNOWN_INITIATOR_RESULT_CODES[operation].includes(String(code).trim()))
            expect(c.outcome).toBe("unknown");
        }
      }),
    );
  });
});

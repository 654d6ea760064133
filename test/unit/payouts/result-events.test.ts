/**
 * What a Daraja notice means for its payout or refund (result-events.ts), read from real payloads
 * (the shared fixtures) and their variants: the event the state machine gets, or why none.
 */
import { describe, expect, it } from "vitest";
import type { PayoutResultRoute } from "../../../src/db/schema.ts";
import { type HeldIds, meaningOf } from "../../../src/payouts/result-events.ts";
import { resultUrlsFor, verifiedItem } from "../../../src/payouts/result-urls.ts";
import { Secret } from "../../../src/secret.ts";
import { fixtureText } from "../daraja/support.ts";

const payout: HeldIds = { kind: "payout", conversationId: null, originatorConversationId: null };
const refund: HeldIds = { ...payout, kind: "refund" };

/** A fixture with some `Result` fields replaced. */
function variant(
  name: string,
  result: Record<string, unknown>,
  params?: Array<{ Key: string; Value?: unknown }>,
) {
  const body = JSON.parse(fixtureText(name)) as { Result: Record<string, unknown> };
  Object.assign(body.Result, result);
  if (params) body.Result.ResultParameters = { ResultParameter: params };
  return JSON.stringify(body);
}

const eventOf = (route: PayoutResultRoute, body: string, held: HeldIds = payout) => {
  const meaning = meaningOf(route, body, held);
  if (meaning.kind !== "event") throw new Error(`no event: ${JSON.stringify(meaning)}`);
  return meaning.event;
};

describe("B2C results", () => {
  it("0 is a success with the facts to check: receipt, amount, recipient", () => {
    expect(eventOf("b2c_result", fixtureText("b2c-result-success-production-2023.json"))).toMatchObject({
      type: "result_success",
      facts: {
        resultCode: "0",
        receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
        amount: expect.any(Number),
        recipient: expect.stringMatching(/^2547\d{8}$/),
        originalReceipt: null,
      },
    });
  });

  it("1 keeps the payout queued; 2040 fails it; a code nobody knows is left to Transaction Status", () => {
    expect(eventOf("b2c_result", fixtureText("b2c-result-insufficient-balance-1.json"))).toEqual({
      type: "insufficient_funds",
      resultCode: "1",
      resultDesc: "The balance is insufficient for the transaction.",
      conversationId: "AG_20230320_207069900d30418d9616",
    });
    expect(eventOf("b2c_result", fixtureText("b2c-result-failure-2040-2026.json"))).toMatchObject({
      type: "result_failure",
      facts: { resultCode: "2040", receipt: null, amount: null },
    });
    expect(
      eventOf("b2c_result", variant("b2c-result-failure-2040-2026.json", { ResultCode: 9_999 })),
    ).toEqual({
      type: "result_overdue",
    });
  });

  it("a lack of funds for another request than the one we hold is refused", () => {
    const held = { ...payout, conversationId: "AG_20230320_other" };
    expect(
      meaningOf("b2c_result", fixtureText("b2c-result-insufficient-balance-1.json"), held),
    ).toMatchObject({
      kind: "refused",
      reason: expect.stringMatching(/another ConversationID/),
    });
  });

  it("a failure of another request (an earlier attempt's, delivered late) is refused, not a fact about ours", () => {
    const held = { ...payout, originatorConversationId: "pyt_1-2", conversationId: "AG_20260115_second" };
    const earlier = variant("b2c-result-failure-2040-2026.json", { OriginatorConversationID: "pyt_1-1" });
    expect(meaningOf("b2c_result", earlier, held)).toMatchObject({
      kind: "refused",
      reason: expect.stringMatching(/failure result refused: .*another/),
    });
    const reversal = fixtureText("reversal-result-failure-R000002-docs-v3.json");
    expect(meaningOf("reversal_result", reversal, { ...refund, conversationId: "AG_other" })).toMatchObject({
      kind: "refused",
    });
  });

  it("is about a payout only, and must be a result", () => {
    expect(meaningOf("b2c_result", fixtureText("b2c-result-success-docs-v3.json"), refund).kind).toBe(
      "refused",
    );
    expect(meaningOf("b2c_result", "<html>", payout)).toMatchObject({
      kind: "refused",
      reason: /not a B2C result/,
    });
  });
});

describe("Reversal results", () => {
  it("0 is a success naming the receipt reversed and who got the money", () => {
    expect(
      eventOf("reversal_result", fixtureText("reversal-result-success-docs-v3.json"), refund),
    ).toMatchObject({
      type: "result_success",
      facts: { receipt: "SKE52PAWR9", amount: 1, recipient: "254708374149", originalReceipt: "SKC82PACB8" },
    });
  });

  it("R000001 (already reversed) is a success, never a reason to pay again; R000002 fails", () => {
    const already = variant("reversal-result-failure-R000002-docs-v3.json", {
      ResultCode: "R000001",
      ResultDesc: "The transaction has already been reversed.",
    });
    expect(eventOf("reversal_result", already, refund)).toMatchObject({
      type: "already_reversed",
      facts: { resultCode: "R000001" },
    });
    expect(
      eventOf("reversal_result", fixtureText("reversal-result-failure-R000002-docs-v3.json"), refund),
    ).toMatchObject({
      type: "result_failure",
      facts: { resultCode: "R000002" },
    });
  });
});

describe("queue-timeout notices", () => {
  it("mean unknown, never failed, whatever they say — unless they name another request", () => {
    const notice = variant("b2c-result-failure-2040-2026.json", {
      ResultCode: 1037,
      ResultDesc: "timed out",
    });
    expect(eventOf("b2c_timeout", notice)).toEqual({ type: "queue_timeout" });
    expect(eventOf("b2c_timeout", "not even JSON")).toEqual({ type: "queue_timeout" });
    expect(eventOf("reversal_timeout", notice, refund)).toEqual({ type: "queue_timeout" });
    const held = { ...payout, originatorConversationId: "pyt_1-1" };
    expect(meaningOf("b2c_timeout", notice, held).kind).toBe("refused");
  });
});

describe("Transaction Status results", () => {
  const status = "transaction-status-result-docs-v3.json";

  it("a payout found Completed is paid, with the found transaction's ids, not the query's", () => {
    expect(eventOf("status_result", fixtureText(status))).toEqual({
      type: "status_result",
      finding: "completed",
      facts: {
        resultCode: "0",
        resultDesc: "The service request is processed successfully.",
        conversationId: "AG_20180223_000041b09c22e613d6c9",
        originatorConversationId: "3211-416020-3",
        receipt: "MBN31H462N",
        amount: 300,
        recipient: null,
        originalReceipt: null,
      },
    });
  });

  const withStatus = (value: string) =>
    variant(status, {}, [
      { Key: "DebitPartyName", Value: "254708374149 - JOHN DOE" },
      { Key: "CreditPartyName", Value: "174379 - MALIPO" },
      { Key: "TransactionStatus", Value: value },
      { Key: "Amount", Value: "500" },
      { Key: "ReceiptNo", Value: "UAF1234567" },
    ]);

  it("a refund asks about the payment it reverses: Reversed is done, Completed is not yet", () => {
    expect(eventOf("status_result", withStatus("Reversed"), refund)).toMatchObject({
      finding: "completed",
      facts: { amount: 500, recipient: "254708374149", originalReceipt: "UAF1234567", receipt: null },
    });
    expect(eventOf("status_result", withStatus("Completed"), refund)).toMatchObject({ finding: "not_found" });
  });

  it("2032 is not found; a query that itself failed decides nothing", () => {
    expect(
      eventOf("status_result", fixtureText("transaction-status-result-failure-2001-2018.json")),
    ).toMatchObject({
      finding: "pending",
    });
    expect(eventOf("status_result", variant(status, { ResultCode: 2032 }))).toMatchObject({
      finding: "not_found",
    });
    expect(meaningOf("status_timeout", "{}", refund).kind).toBe("nothing");
  });
});

describe("result URLs", () => {
  it("name the item and carry its signature; only ours verify", () => {
    const secret = new Secret("test-callback-secret-0123456789abcdef");
    const urls = resultUrlsFor({ publicBaseUrl: "https://pay.example.com/", secret }, "b2c", {
      kind: "payout",
      id: "pyt_1",
    });
    expect(urls.resultUrl).toMatch(
      /^https:\/\/pay\.example\.com\/api\/v1\/payments\/mpesa\/b2c\/result\?kind=payout&id=pyt_1&sig=/,
    );
    expect(urls.queueTimeoutUrl).toContain("/b2c/timeout?kind=payout&id=pyt_1&sig=");
    const query = Object.fromEntries(new URL(urls.resultUrl).searchParams);
    expect(verifiedItem(secret, query)).toEqual({ kind: "payout", id: "pyt_1" });
    expect(verifiedItem(secret, { ...query, kind: "refund" })).toBeNull();
    expect(verifiedItem(secret, { ...query, id: "pyt_2" })).toBeNull();
    expect(verifiedItem(new Secret("another-secret"), query)).toBeNull();
    expect(verifiedItem(secret, { kind: "payout", id: "pyt_1" })).toBeNull();
  });
});

/**
 * Every real Daraja payload in the shared fixtures folder that concerns OAuth, STK Push, STK Query or
 * the STK callback, fed through the client and parsers. Files are found by prefix, so a new fixture
 * is tested as soon as it is added (and an stkpush error nobody has an expectation for fails loudly).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DarajaErrorKind } from "../../../src/daraja/errors.ts";
import { DarajaError } from "../../../src/daraja/errors.ts";
import { SANDBOX_PASSKEY, stkPassword } from "../../../src/daraja/password.ts";
import { isCanonicalMsisdn } from "../../../src/daraja/phone.ts";
import { classifyResultCode } from "../../../src/daraja/result-codes.ts";
import { parseStkCallback } from "../../../src/daraja/stk-callback.ts";
import { parseDarajaTimestamp } from "../../../src/daraja/timestamp.ts";
import {
  daraja,
  FIXTURES_DIR,
  fixture,
  fixtureNames,
  fixtureText,
  harness,
  PUSH_PATH,
  pushAccepted,
  type Reply,
  statusForErrorCode,
  validPush,
} from "./support.ts";

type Json = Record<string, unknown>;

/** Serves a fixture as Daraja would: an error envelope with the status of its code, anything else 200. */
function served(name: string): Reply {
  const body = fixture(name) as Json;
  const status = typeof body.errorCode === "string" ? statusForErrorCode(body.errorCode) : 200;
  return { status, text: fixtureText(name), contentType: "application/json;charset=UTF-8" };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    return error;
  }
}

it("the fixtures folder resolves and holds every family", () => {
  expect(existsSync(FIXTURES_DIR)).toBe(true);
  for (const prefix of ["oauth-", "stkpush-", "stk-query-", "stk-callback-"])
    expect(fixtureNames(prefix).length, prefix).toBeGreaterThan(0);
});

describe("oauth-* fixtures", () => {
  it.each(fixtureNames("oauth-"))("%s", async (name) => {
    const body = fixture(name) as Json;
    const t = harness(daraja(() => pushAccepted(), { tokens: () => served(name) }));
    if (typeof body.access_token === "string") {
      await expect(t.client.accessToken()).resolves.toBe(body.access_token);
      // Cached for its lifetime (less the refresh margin), whatever the type of expires_in.
      t.clock.advance((Number(body.expires_in) - 61) * 1000);
      await t.client.stkPush(validPush);
      expect(t.tokensSent()).toBe(1);
      expect(t.calls.find((c) => c.path === PUSH_PATH)?.headers.authorization).toBe(
        `Bearer ${body.access_token}`,
      );
    } else {
      const error = await outcome(t.client.accessToken());
      expect(error).toBeInstanceOf(DarajaError);
      expect(error).toMatchObject({
        kind: "authentication",
        operation: "token",
        errorCode: body.errorCode,
        requestId: body.requestId,
        retryable: false,
      });
    }
  });
});

/** What each stkpush error fixture must become, keyed by a part of its file name. */
const PUSH_ERROR_EXPECTATIONS: ReadonlyArray<[RegExp, DarajaErrorKind, string | null]> = [
  [/invalid-access-token/, "authentication", null],
  [/invalid-businessshortcode/, "validation", "BusinessShortCode"],
  [/invalid-callbackurl/, "validation", "CallBackURL"],
  [/invalid-phonenumber/, "validation", "PhoneNumber"],
  [/invalid-timestamp/, "validation", "Timestamp"],
  [/invalid-amount/, "validation", "Amount"],
  [/invalid-remarks/, "validation", "Remarks"],
  [/unable-to-lock-subscriber/, "subscriber_locked", null],
  [/wrong-credentials/, "wrong_credentials", null],
  [/merchant-does-not-exist/, "merchant_not_found", null],
  [/spike-arrest/, "rate_limited", null],
  [/quota/, "rate_limited", null],
];

describe("stkpush-* fixtures", () => {
  it.each(fixtureNames("stkpush-"))("%s", async (name) => {
    const body = fixture(name) as Json;

    if (name.startsWith("stkpush-request-")) {
      // A documented request: our Password reproduces it, and we send the same fields in the same order.
      expect(stkPassword(String(body.BusinessShortCode), SANDBOX_PASSKEY, String(body.Timestamp))).toBe(
        body.Password,
      );
      const t = harness(daraja(() => pushAccepted()));
      await t.client.stkPush(validPush);
      expect(Object.keys(t.calls.find((c) => c.path === PUSH_PATH)?.body as Json)).toEqual(Object.keys(body));
      return;
    }

    if (name.startsWith("stkpush-success-")) {
      const t = harness(daraja(() => served(name)));
      const accepted = await t.client.stkPush(validPush);
      expect(accepted).toEqual({
        merchantRequestId: body.MerchantRequestID,
        checkoutRequestId: body.CheckoutRequestID,
        responseCode: "0",
        responseDescription: body.ResponseDescription,
        ...(body.CustomerMessage === undefined ? {} : { customerMessage: body.CustomerMessage }),
      });
      return;
    }

    expect(name.startsWith("stkpush-error-"), `unknown stkpush fixture family: ${name}`).toBe(true);
    const expectation = PUSH_ERROR_EXPECTATIONS.find(([pattern]) => pattern.test(name));
    expect(expectation, `add an expectation for ${name} to PUSH_ERROR_EXPECTATIONS`).toBeDefined();
    const [, kind, field] = expectation ?? [];
    const t = harness(daraja(() => served(name)));
    const error = await outcome(t.client.stkPush(validPush));
    expect(error).toBeInstanceOf(DarajaError);
    expect(error).toMatchObject({
      kind,
      operation: "stk_push",
      errorCode: body.errorCode,
      requestId: body.requestId,
      httpStatus: statusForErrorCode(String(body.errorCode)),
    });
    if (field) expect((error as DarajaError).field).toBe(field);
    // Never sent twice, except the one resend after a refused token.
    expect(t.pushesSent()).toBe(kind === "authentication" ? 2 : 1);
  });
});

describe("stk-query-* fixtures", () => {
  it.each(fixtureNames("stk-query-"))("%s", async (name) => {
    const body = fixture(name) as Json;
    const checkout =
      typeof body.CheckoutRequestID === "string" ? body.CheckoutRequestID : "ws_CO_20022018230142206";
    const t = harness(daraja(() => served(name)));
    const result = await t.client.stkQuery(checkout);
    expect(t.queriesSent()).toBe(1);
    if (typeof body.errorCode === "string") {
      const reason = /does not exist/i.test(String(body.errorMessage)) ? "not_found" : "processing";
      expect(result).toEqual({ kind: "not_final", reason, resultDesc: body.errorMessage });
      return;
    }
    const code = String(body.ResultCode);
    if (classifyResultCode(code).outcome === "not_final") {
      expect(result).toEqual({ kind: "not_final", reason: "processing", resultDesc: body.ResultDesc });
      return;
    }
    expect(result).toEqual({
      kind: "final",
      merchantRequestId: body.MerchantRequestID,
      checkoutRequestId: checkout,
      resultCode: code,
      resultDesc: body.ResultDesc,
    });
    expect(classifyResultCode(code).outcome).not.toBe("unknown");
    if (name.includes("success")) expect(classifyResultCode(code).outcome).toBe("paid");
    if (name.includes("cancelled")) expect(classifyResultCode(code)).toMatchObject({ reason: "cancelled" });
  });
});

describe("stk-callback-* fixtures", () => {
  it.each(fixtureNames("stk-callback-"))("%s", (name) => {
    const raw = (fixture(name) as { Body: { stkCallback: Json } }).Body.stkCallback;
    const parsed = parseStkCallback(fixture(name));
    expect(parseStkCallback(fixtureText(name))).toEqual(parsed);
    expect(parsed.merchantRequestId).toBe(raw.MerchantRequestID);
    expect(parsed.checkoutRequestId).toBe(raw.CheckoutRequestID);
    expect(parsed.resultCode).toBe(String(raw.ResultCode));
    expect(parsed.resultDesc).toBe(raw.ResultDesc);

    const classification = classifyResultCode(parsed.resultCode);
    expect(name.includes("-success-")).toBe(classification.outcome === "paid");
    if (classification.outcome === "paid") {
      const meta = parsed.metadata;
      expect(meta).not.toBeNull();
      expect(meta?.mpesaReceiptNumber).toMatch(/^[A-Z0-9]{10}$/);
      expect(Number.isFinite(meta?.amount)).toBe(true);
      expect(meta?.amount).toBeGreaterThan(0);
      expect(isCanonicalMsisdn(meta?.phoneNumber ?? "")).toBe(true);
      expect(parseDarajaTimestamp(meta?.transactionDate ?? "")).not.toBeNull();
      expect(meta?.balance).toBeNull();
    } else {
      expect(classification.outcome).toBe("failed");
      expect(parsed.metadata).toBeNull();
    }
  });
});

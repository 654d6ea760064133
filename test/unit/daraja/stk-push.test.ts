import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createDarajaClient } from "../../../src/daraja/client.ts";
import type { StkPushInput } from "../../../src/daraja/contract.ts";
import { DarajaError } from "../../../src/daraja/errors.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../../src/daraja/password.ts";
import type { Msisdn } from "../../../src/daraja/phone.ts";
import { sanitizePromptText } from "../../../src/daraja/stk-request.ts";
import { parseDarajaTimestamp } from "../../../src/daraja/timestamp.ts";
import { caught } from "../../support/daraja.ts";
import { daraja, envelope, harness, json, PUSH_PATH, pushAccepted, validPush } from "./support.ts";

const push = (overrides: Partial<Record<keyof StkPushInput, unknown>> = {}) =>
  ({ ...validPush, ...overrides }) as unknown as StkPushInput;

const sentBody = (t: ReturnType<typeof harness>) =>
  t.calls.find((c) => c.path === PUSH_PATH)?.body as Record<string, unknown>;

describe("stkPush request", () => {
  it("sends Timestamp in East Africa Time and Password = base64(shortcode + passkey + timestamp)", async () => {
    const t = harness(daraja(() => pushAccepted()));
    t.clock.set("2026-01-15T22:30:05.000Z"); // 01:30:05 the next day in Nairobi
    await t.client.stkPush(push());
    const body = sentBody(t);
    expect(body.Timestamp).toBe("20260116013005");
    expect(parseDarajaTimestamp(String(body.Timestamp))?.toISOString()).toBe("2026-01-15T22:30:05.000Z");
    const decoded = Buffer.from(String(body.Password), "base64").toString("utf8");
    expect(decoded).toBe(`${SANDBOX_SHORTCODE}${SANDBOX_PASSKEY}${body.Timestamp}`);
  });

  it("sends every field Daraja expects, in the documented order", async () => {
    const t = harness(daraja(() => pushAccepted()));
    await t.client.stkPush(push({ phoneNumber: "0708 374 149" }));
    const call = t.calls.find((c) => c.path === PUSH_PATH);
    expect(call?.method).toBe("POST");
    expect(call?.headers["content-type"]).toBe("application/json");
    expect(call?.headers.authorization).toMatch(/^Bearer tok/);
    expect(Object.keys(sentBody(t))).toEqual([
      "BusinessShortCode",
      "Password",
      "Timestamp",
      "TransactionType",
      "Amount",
      "PartyA",
      "PartyB",
      "PhoneNumber",
      "CallBackURL",
      "AccountReference",
      "TransactionDesc",
    ]);
    expect(sentBody(t)).toMatchObject({
      BusinessShortCode: "174379",
      TransactionType: "CustomerPayBillOnline",
      Amount: 500,
      PartyA: "254708374149",
      PartyB: "174379",
      PhoneNumber: "254708374149",
      CallBackURL: "https://malipo.example/mpesa/callback/pay_123?sig=abc",
      AccountReference: "BK12345",
      TransactionDesc: "Booking fee",
    });
  });

  it("for buy goods, PartyB is the till", async () => {
    const t = harness(
      daraja(() => pushAccepted()),
      {
        shortcode: "7654321",
        transactionType: "CustomerBuyGoodsOnline",
        partyB: "5551234",
      },
    );
    await t.client.stkPush(push());
    expect(sentBody(t)).toMatchObject({
      BusinessShortCode: "7654321",
      TransactionType: "CustomerBuyGoodsOnline",
      PartyB: "5551234",
    });
  });

  it("refuses client options that cannot work", () => {
    const base = {
      baseUrl: "http://127.0.0.1:1",
      consumerKey: "k",
      consumerSecret: "s",
      shortcode: "174379",
      passkey: "p",
      transactionType: "CustomerPayBillOnline",
    } as const;
    expect(() => createDarajaClient({ ...base, transactionType: "CustomerBuyGoodsOnline" })).toThrow(
      /partyB/,
    );
    expect(() => createDarajaClient({ ...base, baseUrl: "nope" })).toThrow(/baseUrl/);
    expect(() => createDarajaClient({ ...base, consumerSecret: "" })).toThrow(/consumerSecret/);
    expect(() => createDarajaClient({ ...base, shortcode: "17 43" })).toThrow(/shortcode/);
    expect(() =>
      createDarajaClient({ ...base, consumerSecret: "hunter2-secret", shortcode: "x" }),
    ).not.toThrow(/hunter2/);
  });
});

describe("stkPush validation happens before any network call", () => {
  it.each([0, -1, 1.5, 250_001, Number.NaN, Number.POSITIVE_INFINITY, "500", null])(
    "amount %j is refused",
    async (amount) => {
      const t = harness(daraja(() => pushAccepted()));
      const error = await caught(t.client.stkPush(push({ amount })));
      expect(error).toMatchObject({ kind: "validation", field: "Amount", local: true, retryable: false });
      expect(t.calls).toHaveLength(0);
    },
  );

  it.each([1, 250_000])("amount %i is accepted", async (amount) => {
    const t = harness(daraja(() => pushAccepted()));
    await t.client.stkPush(push({ amount }));
    expect(sentBody(t).Amount).toBe(amount);
  });

  it.each(["", "12345", "+255712345678", "0812345678", "07123456789", "0712abc678", 42])(
    "phone %j is refused",
    async (phoneNumber) => {
      const t = harness(daraja(() => pushAccepted()));
      const error = await caught(t.client.stkPush(push({ phoneNumber: phoneNumber as Msisdn })));
      expect(error).toMatchObject({ kind: "validation", field: "PhoneNumber", local: true });
      expect(t.calls).toHaveLength(0);
    },
  );

  it.each(["<YOUR_CALLBACK_URL>", "https://malipo.example/a b", "ftp://malipo.example/cb", "not a url", ""])(
    "callback URL %j is refused",
    async (callbackUrl) => {
      const t = harness(daraja(() => pushAccepted()));
      const error = await caught(t.client.stkPush(push({ callbackUrl })));
      expect(error).toMatchObject({ kind: "validation", field: "CallBackURL", local: true });
      expect(t.calls).toHaveLength(0);
    },
  );

  it("cleans and cuts AccountReference to 12 and TransactionDesc to 13 characters", async () => {
    const t = harness(daraja(() => pushAccepted()));
    await t.client.stkPush(
      push({ accountReference: "Booking #BK-12345678 & co", transactionDesc: "Café fee @ 50%!" }),
    );
    expect(sentBody(t).AccountReference).toBe("Booking BK-1");
    expect(sentBody(t).TransactionDesc).toBe("Cafe fee 50");
  });

  it("never sends an empty TransactionDesc (Daraja answers 'Invalid Remarks')", async () => {
    const t = harness(daraja(() => pushAccepted()));
    await t.client.stkPush(push({ transactionDesc: "@#&!" }));
    expect(sentBody(t).TransactionDesc).toBe("Payment");
  });

  it("refuses an AccountReference with nothing printable left", async () => {
    const t = harness(daraja(() => pushAccepted()));
    const error = await caught(t.client.stkPush(push({ accountReference: " #&@ " })));
    expect(error).toMatchObject({ kind: "validation", field: "AccountReference", local: true });
    expect(t.calls).toHaveLength(0);
  });

  it("sanitizePromptText keeps only safe characters", () => {
    expect(sanitizePromptText("  A\tb\nc  ", 20)).toBe("A b c");
    expect(sanitizePromptText("Ref: 12/34, x_y.z-w", 40)).toBe("Ref: 12/34, x_y.z-w");
    expect(sanitizePromptText("<script>alert(1)</script>", 40)).toBe("scriptalert1/script");
    expect(sanitizePromptText("abcdefghijk lmnop", 12)).toBe("abcdefghijk");
  });
});

describe("stkPush answers", () => {
  it("returns the typed acceptance", async () => {
    const t = harness(daraja(() => pushAccepted("ws_CO_X")));
    await expect(t.client.stkPush(push())).resolves.toEqual({
      merchantRequestId: "2654-4b64-97ff-b827b542881d3130",
      checkoutRequestId: "ws_CO_X",
      responseCode: "0",
      responseDescription: "Success. Request accepted for processing",
      customerMessage: "Success. Request accepted for processing",
    });
  });

  it("a 200 with ResponseCode other than 0 is a rejection, not retried", async () => {
    const t = harness(
      daraja(() =>
        json(200, {
          MerchantRequestID: "m",
          CheckoutRequestID: "c",
          ResponseCode: "1",
          ResponseDescription: "Rejected",
        }),
      ),
    );
    const error = await caught(t.client.stkPush(push()));
    expect(error).toMatchObject({
      kind: "rejected",
      errorCode: "1",
      errorMessage: "Rejected",
      retryable: false,
    });
    expect(t.pushesSent()).toBe(1);
  });

  it.each([
    ["without ResponseCode", { MerchantRequestID: "m", CheckoutRequestID: "c" }],
    ["without CheckoutRequestID", { MerchantRequestID: "m", ResponseCode: "0" }],
    ["as an array", [1, 2]],
  ])("a 200 %s leaves the outcome unknown", async (_, body) => {
    const t = harness(daraja(() => json(200, body)));
    const error = await caught(t.client.stkPush(push()));
    expect(error).toMatchObject({
      kind: "outcome_unknown",
      underlying: "unexpected_response",
      retryable: false,
    });
    expect(t.pushesSent()).toBe(1);
  });

  it.each([
    ["spike arrest", envelope(500, "500.003.02", "Error Occurred: Spike Arrest Violation"), "rate_limited"],
    ["quota", envelope(500, "500.003.03", "Quota Violation"), "rate_limited"],
    [
      "subscriber locked",
      envelope(
        500,
        "500.001.1001",
        "Unable to lock subscriber, a transaction is already in process for the current subscriber",
      ),
      "subscriber_locked",
    ],
    ["internal error", envelope(500, "500.002.1001", "System internal error."), "outcome_unknown"],
    ["HTML 503", { status: 503, text: "<html>busy</html>", contentType: "text/html" }, "outcome_unknown"],
    ["empty 502", { status: 502, text: "" }, "outcome_unknown"],
  ] as const)("%s: the push is sent exactly once", async (_, reply, kind) => {
    const t = harness(daraja(() => reply));
    const error = await caught(t.client.stkPush(push()));
    expect(error.kind).toBe(kind);
    expect(t.pushesSent()).toBe(1);
    expect(t.sleeps).toEqual([]);
  });

  it("a timeout after sending leaves the outcome unknown and is not retried", async () => {
    const t = harness(
      daraja(() => ({ hang: true })),
      { timeoutMs: 20 },
    );
    const error = await caught(t.client.stkPush(push()));
    expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "timeout", retryable: false });
    expect(error.message).toMatch(/reconcile by STK Push Query/);
    expect(t.pushesSent()).toBe(1);
  });

  it("a connection reset leaves the outcome unknown", async () => {
    const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
    const t = harness(daraja(() => ({ fail: reset })));
    const error = await caught(t.client.stkPush(push()));
    expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "network" });
    expect(t.pushesSent()).toBe(1);
  });

  it("a refused connection never reached Daraja: a plain, retryable network error (still sent once)", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const t = harness(daraja(() => ({ fail: refused })));
    const error = await caught(t.client.stkPush(push()));
    expect(error).toMatchObject({ kind: "network", retryable: true, operation: "stk_push" });
    expect(t.pushesSent()).toBe(1);
  });

  it("a burst queues behind the rate limiter; each push is stamped when it leaves", async () => {
    const t = harness(
      daraja(() => pushAccepted()),
      { rateLimit: { burst: 2, perSecond: 1 } },
    );
    await Promise.all([1, 2, 3].map(() => t.client.stkPush(push())));
    // The token takes one slot, the first push the other; the next two wait a second each.
    expect(t.sleeps).toEqual([1000, 1000]);
    const stamps = t.calls
      .filter((c) => c.path === PUSH_PATH)
      .map((c) => (c.body as { Timestamp: string }).Timestamp);
    expect(stamps).toEqual(["20260115120000", "20260115120001", "20260115120002"]);
    for (const call of t.calls.filter((c) => c.path === PUSH_PATH)) {
      const body = call.body as { Password: string; Timestamp: string };
      expect(Buffer.from(body.Password, "base64").toString()).toBe(
        `${SANDBOX_SHORTCODE}${SANDBOX_PASSKEY}${body.Timestamp}`,
      );
    }
  });

  it("a push that would wait past the queue's bound is refused before it is sent", async () => {
    const t = harness(
      daraja(() => pushAccepted()),
      { rateLimit: { burst: 2, perSecond: 1, maxWaitMs: 0 } },
    );
    await t.client.stkPush(push());
    expect(t.client.congestion()).toEqual({ retryAfterMs: 1000 });
    const error = await t.client.stkPush(push()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DarajaError);
    expect(error).toMatchObject({
      kind: "rate_limited",
      local: true,
      retryable: false,
      errorCode: "queue_full",
      retryAfterMs: 1000,
    });
    expect(t.pushesSent()).toBe(1);
    t.clock.advance(1000);
    expect(t.client.congestion()).toBeNull();
  });

  it("logs with masked phones and without secrets", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    let pushes = 0;
    const t = harness(
      daraja(() =>
        ++pushes === 1 ? pushAccepted() : envelope(400, "400.002.02", "Bad Request - Invalid PhoneNumber"),
      ),
      { logger },
    );
    await t.client.stkPush(push());
    await caught(t.client.stkPush(push()));
    const output = lines.join("");
    expect(output).toContain("2547****4149");
    expect(output).toContain("stk push accepted");
    expect(output).toContain("stk push failed");
    expect(output).not.toContain("254708374149");
    expect(output).not.toContain("test-consumer-secret");
    expect(output).not.toContain(SANDBOX_PASSKEY);
    expect(output).not.toMatch(/tok\d{4}/);
  });
});

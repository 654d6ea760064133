/**
 * The Daraja client against the Daraja emulator over loopback: every test number, every validation
 * error the emulator names, OAuth failures, the refresh-once on a refused token, and the callbacks
 * the emulator POSTs, read with the client's callback parser. No database is involved.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULT_CONSUMER_KEY, EMULATOR_DEFAULT_CONSUMER_SECRET } from "../../src/config.ts";
import { createDarajaClient, type DarajaClient, type DarajaClientOptions } from "../../src/daraja/client.ts";
import type { StkPushInput } from "../../src/daraja/contract.ts";
import type { DarajaErrorKind } from "../../src/daraja/errors.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import type { Msisdn } from "../../src/daraja/phone.ts";
import { parseStkCallback } from "../../src/daraja/stk-callback.ts";
import type { FetchLike } from "../../src/daraja/transport.ts";
import { createEmulator, type Emulator, type Outcome, TEST_NUMBERS } from "../../src/emulator/index.ts";
import { caught, finalResult } from "../support/daraja.ts";

let emulator: Emulator;
let baseUrl: string;
let receiver: Server;
let callbackBase: string;
const received: unknown[] = [];

beforeAll(async () => {
  emulator = await createEmulator({ timeScale: 0.005, seed: 7 });
  baseUrl = await emulator.listen(0, "127.0.0.1");
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ResultCode":0,"ResultDesc":"Accepted"}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  callbackBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mpesa/callback`;
});

afterEach(() => {
  emulator.reset();
  received.length = 0;
});

afterAll(async () => {
  await emulator.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

function client(overrides: Partial<DarajaClientOptions> = {}): DarajaClient {
  return createDarajaClient({
    baseUrl,
    consumerKey: EMULATOR_DEFAULT_CONSUMER_KEY,
    consumerSecret: EMULATOR_DEFAULT_CONSUMER_SECRET,
    shortcode: SANDBOX_SHORTCODE,
    passkey: SANDBOX_PASSKEY,
    transactionType: "CustomerPayBillOnline",
    timeoutMs: 2_000,
    rateLimit: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
}

const pushFor = (msisdn: string, amount = 120): StkPushInput => ({
  phoneNumber: msisdn as Msisdn,
  amount,
  accountReference: "BK12345",
  transactionDesc: "Booking fee",
  callbackUrl: `${callbackBase}/pay_${msisdn}?sig=abc`,
});

type Expectation =
  | { push: "accepted"; resultCode: string; callbacks: 0 | 1 | 2 }
  | { push: "refused"; kind: DarajaErrorKind; underlying?: DarajaErrorKind }
  | { push: "response_lost"; resultCode: string };

/** Keyed by the emulator's outcome union, so a new scripted outcome fails to compile here. */
const EXPECTED: Record<Exclude<Outcome, "interactive">, Expectation> = {
  pay: { push: "accepted", resultCode: "0", callbacks: 1 },
  pay_at_once: { push: "accepted", resultCode: "0", callbacks: 1 },
  insufficient_funds: { push: "accepted", resultCode: "1", callbacks: 1 },
  cancel: { push: "accepted", resultCode: "1032", callbacks: 1 },
  no_answer: { push: "accepted", resultCode: "1037", callbacks: 1 },
  wrong_pin: { push: "accepted", resultCode: "2001", callbacks: 1 },
  expired: { push: "accepted", resultCode: "1019", callbacks: 1 },
  push_failed: { push: "accepted", resultCode: "1025", callbacks: 1 },
  rule_limited: { push: "accepted", resultCode: "17", callbacks: 1 },
  paid_no_callback: { push: "accepted", resultCode: "0", callbacks: 0 },
  duplicate_callback: { push: "accepted", resultCode: "0", callbacks: 2 },
  late_callback: { push: "accepted", resultCode: "0", callbacks: 1 },
  lock_error: { push: "refused", kind: "subscriber_locked" },
  spike_arrest: { push: "refused", kind: "rate_limited" },
  gateway_unavailable: { push: "refused", kind: "outcome_unknown", underlying: "server" },
  response_lost: { push: "response_lost", resultCode: "0" },
};

describe("every emulator test number through the client", () => {
  it.each(TEST_NUMBERS.map((t) => [t.msisdn, t.outcome] as const))("%s (%s)", async (msisdn, outcome) => {
    if (outcome === "interactive") throw new Error("test numbers are never interactive");
    const expected = EXPECTED[outcome];
    const daraja = client();
    const pushesSent = () => emulator.requests.list({ path: "/mpesa/stkpush/v1/processrequest" }).length;

    if (expected.push === "refused") {
      const error = await caught(daraja.stkPush(pushFor(msisdn)));
      expect(error.kind).toBe(expected.kind);
      if (expected.underlying) expect(error.underlying).toBe(expected.underlying);
      expect(pushesSent()).toBe(1);
      return;
    }

    if (expected.push === "response_lost") {
      const error = await caught(daraja.stkPush(pushFor(msisdn)));
      expect(error).toMatchObject({ kind: "outcome_unknown", retryable: false });
      expect(pushesSent()).toBe(1);
      // The push did create a session: only a query can tell what happened.
      const [session] = emulator.sessions.list({ phoneNumber: msisdn });
      expect(session).toBeDefined();
      const result = await finalResult(daraja, session?.checkoutRequestId ?? "");
      expect(result).toMatchObject({ kind: "final", resultCode: expected.resultCode });
      return;
    }

    const accepted = await daraja.stkPush(pushFor(msisdn));
    expect(accepted.responseCode).toBe("0");
    expect(accepted.checkoutRequestId).toMatch(/^ws_CO_/);
    const result = await finalResult(daraja, accepted.checkoutRequestId);
    expect(result).toMatchObject({
      kind: "final",
      checkoutRequestId: accepted.checkoutRequestId,
      merchantRequestId: accepted.merchantRequestId,
      resultCode: expected.resultCode,
    });

    const mine = (d: { checkoutRequestId: string }) => d.checkoutRequestId === accepted.checkoutRequestId;
    if (expected.callbacks === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toHaveLength(0);
      return;
    }
    const answered = () =>
      emulator.deliveries
        .list({ checkoutRequestId: accepted.checkoutRequestId })
        .filter((d) => d.status === "answered").length;
    await emulator.deliveries.waitFor((d) => mine(d) && answered() >= expected.callbacks, 8_000);
    expect(received).toHaveLength(expected.callbacks);
    for (const body of received) {
      const callback = parseStkCallback(body);
      expect(callback).toMatchObject({
        checkoutRequestId: accepted.checkoutRequestId,
        merchantRequestId: accepted.merchantRequestId,
        resultCode: expected.resultCode,
      });
      if (expected.resultCode === "0") {
        expect(callback.metadata).toMatchObject({ amount: 120, phoneNumber: msisdn });
        expect(callback.metadata?.mpesaReceiptNumber).toMatch(/^[A-Z0-9]{10}$/);
      } else {
        expect(callback.metadata).toBeNull();
      }
    }
  });
});

/** A fetch that alters what the client sends, to reach the emulator's own validation. */
function tampering(
  alter: (path: string, body: Record<string, unknown>, headers: Headers) => void,
): FetchLike {
  return (url, init) => {
    const headers = new Headers(init.headers);
    if (typeof init.body !== "string") return fetch(url, init);
    const body = JSON.parse(init.body) as Record<string, unknown>;
    alter(new URL(url).pathname, body, headers);
    return fetch(url, { ...init, headers, body: JSON.stringify(body) });
  };
}

describe("the emulator's validation errors come back typed", () => {
  it.each<[string, (body: Record<string, unknown>) => void, string]>([
    ["BusinessShortCode", (b) => (b.BusinessShortCode = "abc"), "BusinessShortCode"],
    ["Timestamp", (b) => (b.Timestamp = "20261345000000"), "Timestamp"],
    ["TransactionType", (b) => (b.TransactionType = "CustomerPayTheBill"), "TransactionType"],
    ["fractional Amount", (b) => (b.Amount = 10.5), "Amount"],
    ["Amount above the limit", (b) => (b.Amount = 250_001), "Amount"],
    ["PartyA", (b) => (b.PartyA = "0712345678"), "PartyA"],
    ["PartyB", (b) => (b.PartyB = "till"), "PartyB"],
    ["non-Kenyan PhoneNumber", (b) => (b.PhoneNumber = "255712345678"), "PhoneNumber"],
    ["placeholder CallBackURL", (b) => (b.CallBackURL = "<YOUR_CALLBACK_URL>"), "CallBackURL"],
    ["empty AccountReference", (b) => (b.AccountReference = ""), "AccountReference"],
    ["missing TransactionDesc", (b) => delete b.TransactionDesc, "Remarks"],
  ])("push with a bad %s → validation of %s", async (_, alter, field) => {
    const daraja = client({ fetch: tampering((_path, body) => alter(body)) });
    const error = await caught(daraja.stkPush(pushFor("254712345678")));
    expect(error).toMatchObject({
      kind: "validation",
      field,
      errorCode: "400.002.02",
      httpStatus: 400,
      local: false,
    });
    expect(error.requestId).toBeTruthy();
  });

  it("a body sent without Content-Type: application/json fails on its first field", async () => {
    const daraja = client({
      fetch: tampering((_path, _body, headers) => headers.set("content-type", "text/plain")),
    });
    const error = await caught(daraja.stkPush(pushFor("254712345678")));
    expect(error).toMatchObject({ kind: "validation", field: "BusinessShortCode" });
  });

  it("a Password that does not match → wrong_credentials", async () => {
    const error = await caught(client({ passkey: "not-the-passkey" }).stkPush(pushFor("254712345678")));
    expect(error).toMatchObject({ kind: "wrong_credentials", errorCode: "500.001.1001", retryable: false });
  });

  it("an unknown shortcode → merchant_not_found", async () => {
    const error = await caught(client({ shortcode: "999999" }).stkPush(pushFor("254712345678")));
    expect(error).toMatchObject({ kind: "merchant_not_found", errorCode: "500.001.1001" });
  });

  it("a query with a bad CheckoutRequestID field → validation", async () => {
    const daraja = client({ fetch: tampering((_path, body) => (body.CheckoutRequestID = "")) });
    const error = await caught(daraja.stkQuery("ws_CO_1"));
    expect(error).toMatchObject({ kind: "validation", field: "CheckoutRequestID" });
  });

  it("a query with a bad Timestamp → validation, not retried", async () => {
    const daraja = client({ fetch: tampering((_path, body) => (body.Timestamp = "yesterday")) });
    const error = await caught(daraja.stkQuery("ws_CO_1"));
    expect(error).toMatchObject({ kind: "validation", field: "Timestamp" });
    expect(emulator.requests.list({ path: "/mpesa/stkpushquery/v1/query" })).toHaveLength(1);
  });
});

describe("queries and OAuth against the emulator", () => {
  it("an unknown CheckoutRequestID is not final (not_found)", async () => {
    await expect(client().stkQuery("ws_CO_01012026000000000700000000")).resolves.toMatchObject({
      kind: "not_final",
      reason: "not_found",
    });
  });

  it("a prompt nobody has answered yet is not final (processing)", async () => {
    const daraja = client();
    const accepted = await daraja.stkPush(pushFor("254712345678"));
    await expect(daraja.stkQuery(accepted.checkoutRequestId)).resolves.toMatchObject({
      kind: "not_final",
      reason: "processing",
    });
  });

  it("wrong consumer secret → authentication (HTTP 400, empty body), not retried", async () => {
    const error = await caught(client({ consumerSecret: "wrong" }).stkPush(pushFor("254712345678")));
    expect(error).toMatchObject({ kind: "authentication", operation: "token", httpStatus: 400 });
    expect(emulator.requests.list({ path: "/oauth/v1/generate" })).toHaveLength(1);
  });

  it("a refused access token is refreshed once and the push resent once", async () => {
    let spoiled = false;
    const daraja = client({
      fetch: (url, init) => {
        const headers = new Headers(init.headers);
        if (!spoiled && new URL(url).pathname.startsWith("/mpesa/")) {
          spoiled = true;
          headers.set("authorization", "Bearer expiredexpiredexpiredexpired");
        }
        return fetch(url, { ...init, headers });
      },
    });
    const accepted = await daraja.stkPush(pushFor("254700000000"));
    expect(accepted.responseCode).toBe("0");
    expect(emulator.requests.list({ path: "/mpesa/stkpush/v1/processrequest" })).toHaveLength(2);
    expect(emulator.requests.list({ path: "/oauth/v1/generate" })).toHaveLength(2);
    expect(emulator.sessions.list({ phoneNumber: "254700000000" })).toHaveLength(1);
  });
});

/**
 * The Daraja client against the emulator over loopback, beyond the test numbers: the subscriber
 * lock, the older "being processed" query answer, a token that really expired, OAuth refusals,
 * seeded faults, buy goods, and what the client's own clean-up spares the customer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { createDarajaClient, type DarajaClient, type DarajaClientOptions } from "../../src/daraja/client.ts";
import type { StkPushInput } from "../../src/daraja/contract.ts";
import type { Msisdn } from "../../src/daraja/phone.ts";
import { classifyResultCode } from "../../src/daraja/result-codes.ts";
import type { FetchLike } from "../../src/daraja/transport.ts";
import { caught, finalResult } from "../support/daraja.ts";
import {
  type CallbackReceiver,
  EMULATOR_CREDENTIALS,
  startCallbackReceiver,
  startTestEmulator,
  type TestEmulator,
} from "../support/emulator.ts";

const PUSH = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";
const OAUTH = "/oauth/v1/generate";

let t: TestEmulator;
let receiver: CallbackReceiver;

beforeAll(async () => {
  t = await startTestEmulator({ responseLostHoldMs: 30_000 });
  receiver = await startCallbackReceiver();
});
afterEach(() => {
  t.emulator.reset();
  receiver.received.length = 0;
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

function client(baseUrl: string, overrides: Partial<DarajaClientOptions> = {}): DarajaClient {
  return createDarajaClient({
    baseUrl,
    ...EMULATOR_CREDENTIALS,
    transactionType: "CustomerPayBillOnline",
    timeoutMs: 2_000,
    rateLimit: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
}

const pushFor = (msisdn: string, overrides: Partial<StkPushInput> = {}): StkPushInput => ({
  phoneNumber: msisdn as Msisdn,
  amount: 120,
  accountReference: "BK12345",
  transactionDesc: "Booking fee",
  callbackUrl: receiver.url(`/cb/${msisdn}?sig=abc`),
  ...overrides,
});

const sent = (path: string, emulator = t) => emulator.emulator.requests.list({ path }).length;

describe("the subscriber lock and the older query style", () => {
  it("a second push to a phone whose prompt is open → subscriber_locked (wait a minute), not resent", async () => {
    const daraja = client(t.baseUrl);
    await daraja.stkPush(pushFor("254712000901"));
    const error = await caught(daraja.stkPush(pushFor("254712000901")));
    expect(error).toMatchObject({
      kind: "subscriber_locked",
      errorCode: "500.001.1001",
      httpStatus: 500,
      retryable: true,
      retryAfterMs: 60_000,
    });
    expect(sent(PUSH)).toBe(2);
    expect(t.emulator.sessions.list({ phoneNumber: "254712000901" })).toHaveLength(1);
  });

  it("HTTP 500 'The transaction is being processed' is not final; the answer afterwards is", async () => {
    const old = await startTestEmulator({ queryProcessingStyle: "500" });
    try {
      const daraja = client(old.baseUrl);
      const accepted = await daraja.stkPush(pushFor("254712000902"));
      await expect(daraja.stkQuery(accepted.checkoutRequestId)).resolves.toEqual({
        kind: "not_final",
        reason: "processing",
        resultDesc: "The transaction is being processed",
      });
      expect(sent(QUERY, old)).toBe(1); // not final is an answer, not a failure: no retry
      old.emulator.resolve(accepted.checkoutRequestId, "pay");
      await expect(daraja.stkQuery(accepted.checkoutRequestId)).resolves.toMatchObject({
        kind: "final",
        resultCode: "0",
      });
    } finally {
      await old.close();
    }
  });
});

describe("OAuth against the emulator", () => {
  it("a token that expired at the emulator is refused (404.001.03), refreshed once and the push resent once", async () => {
    const emulatorClock = new ManualClock(new Date());
    const short = await startTestEmulator({ clock: emulatorClock, tokenTtlSeconds: 120 });
    try {
      const daraja = client(short.baseUrl);
      await daraja.accessToken(); // cached by the client for about a minute of its own time
      emulatorClock.advance(121_000); // …but the emulator has moved past its expiry
      const accepted = await daraja.stkPush(pushFor("254700000000"));
      expect(accepted.responseCode).toBe("0");
      expect(short.emulator.requests.list({ path: PUSH }).map((r) => r.errorCode)).toEqual([
        "404.001.03",
        null,
      ]);
      expect(sent(OAUTH, short)).toBe(2);
      expect(short.emulator.sessions.list()).toHaveLength(1);
    } finally {
      await short.close();
    }
  });

  it("after the control API expired every token, the client refreshes once and the push goes through", async () => {
    const daraja = client(t.baseUrl);
    await daraja.accessToken();
    t.emulator.expireTokens();
    await expect(daraja.stkPush(pushFor("254700000000"))).resolves.toMatchObject({ responseCode: "0" });
    expect(t.emulator.requests.list({ path: PUSH }).map((r) => r.status)).toEqual([404, 200]);
    expect(sent(OAUTH)).toBe(2);
  });

  /** A fetch that rewrites the OAuth request, to reach the emulator's OAuth refusals. */
  const alterOAuth =
    (alter: (url: URL, headers: Headers) => void): FetchLike =>
    (url, init) => {
      const parsed = new URL(url);
      const headers = new Headers(init.headers);
      if (parsed.pathname === OAUTH) alter(parsed, headers);
      return fetch(parsed.toString(), { ...init, headers });
    };

  const oauthRefusals: Record<string, FetchLike> = {
    "400.008.01": alterOAuth((_url, headers) => headers.set("authorization", "Bearer nothing")),
    "400.008.02": alterOAuth((url) => url.searchParams.set("grant_type", "password")),
  };

  it.each<[string, string]>([
    ["Authorization that is not Basic", "400.008.01"],
    ["a wrong grant_type", "400.008.02"],
  ])("%s → authentication %s, not retried", async (_name, errorCode) => {
    const daraja = client(t.baseUrl, { fetch: oauthRefusals[errorCode] });
    const error = await caught(daraja.stkPush(pushFor("254712000903")));
    expect(error).toMatchObject({
      kind: "authentication",
      operation: "token",
      errorCode,
      httpStatus: 400,
      retryable: false,
    });
    expect(error.requestId).toBeTruthy();
    expect(sent(OAUTH)).toBe(1);
    expect(sent(PUSH)).toBe(0);
  });
});

describe("seeded faults through the client", () => {
  it("spike arrest on queries is retried with backoff, then reported as rate_limited", async () => {
    const daraja = client(t.baseUrl);
    const accepted = await daraja.stkPush(pushFor("254712000904"));
    t.emulator.setFaults({ seed: 1, rates: { spikeArrest: 1 } });
    const error = await caught(daraja.stkQuery(accepted.checkoutRequestId));
    expect(error).toMatchObject({ kind: "rate_limited", errorCode: "500.003.02", retryable: true });
    expect(sent(QUERY)).toBe(3);
  });

  it("a flaky 'does not Exist' for a known id is not final (not_found), and the next answer is", async () => {
    const daraja = client(t.baseUrl);
    const accepted = await daraja.stkPush(pushFor("254700000000"));
    t.emulator.setFaults({ seed: 1, rates: { queryError: 1 } });
    await expect(daraja.stkQuery(accepted.checkoutRequestId)).resolves.toMatchObject({
      kind: "not_final",
      reason: "not_found",
    });
    t.emulator.setFaults({});
    await expect(finalResult(daraja, accepted.checkoutRequestId)).resolves.toMatchObject({
      kind: "final",
      resultCode: "0",
    });
  });

  it("a push answered 500.003.1001 has an unknown outcome (it may have created a prompt) and is sent once", async () => {
    t.emulator.setFaults({ seed: 1, rates: { pushError: 1 } });
    const error = await caught(client(t.baseUrl).stkPush(pushFor("254712000905")));
    expect(error).toMatchObject({
      kind: "outcome_unknown",
      underlying: "server",
      errorCode: "500.003.1001",
      httpStatus: 500,
    });
    expect(sent(PUSH)).toBe(1);
    expect(t.emulator.sessions.list()).toHaveLength(0);
  });

  it("a dropped push response is outcome_unknown (a timeout), never resent; the query finds the session", async () => {
    t.emulator.setFaults({ seed: 1, rates: { pushResponseDropped: 1 } });
    // A 100 ms client timeout against the 30 s (0.3 s here) silent hold: the client times out.
    const daraja = client(t.baseUrl, { timeoutMs: 100 });
    const error = await caught(daraja.stkPush(pushFor("254712000906")));
    expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "timeout", retryable: false });
    expect(sent(PUSH)).toBe(1);
    t.emulator.setFaults({});
    const session = t.emulator.sessions.pendingFor("254712000906");
    expect(session?.responseLost).toBe(true);
    t.emulator.resolve(session?.checkoutRequestId ?? "", "pay");
    await expect(client(t.baseUrl).stkQuery(session?.checkoutRequestId ?? "")).resolves.toMatchObject({
      kind: "final",
      resultCode: "0",
    });
  });
});

describe("merchant set-ups and the client's clean-up", () => {
  it("buy goods: PartyB is the till, and the customer pays", async () => {
    const daraja = client(t.baseUrl, { transactionType: "CustomerBuyGoodsOnline", partyB: "600100" });
    const accepted = await daraja.stkPush(pushFor("254700000000"));
    expect(t.emulator.sessions.get(accepted.checkoutRequestId)).toMatchObject({
      transactionType: "CustomerBuyGoodsOnline",
      shortcode: "174379",
      partyB: "600100",
    });
    await expect(finalResult(daraja, accepted.checkoutRequestId)).resolves.toMatchObject({
      resultCode: "0",
    });
  });

  it("a paybill whose PartyB is not the shortcode fails later with the string code SFC_IC0003", async () => {
    const daraja = client(t.baseUrl, { partyB: "600000" });
    const accepted = await daraja.stkPush(pushFor("254700000000"));
    const result = await finalResult(daraja, accepted.checkoutRequestId);
    expect(result).toMatchObject({ kind: "final", resultCode: "SFC_IC0003" });
    expect(classifyResultCode("SFC_IC0003")).toMatchObject({ outcome: "failed", canRetry: false });
  });

  it("an over-long AccountReference is cut to 12 by the client, so the prompt is not lost (1025)", async () => {
    const daraja = client(t.baseUrl);
    const accepted = await daraja.stkPush(
      pushFor("254700000000", {
        accountReference: "BOOKING-REFERENCE-0001",
        transactionDesc: "Booking fee, deposit",
      }),
    );
    const session = t.emulator.sessions.get(accepted.checkoutRequestId);
    expect(session?.accountReference).toBe("BOOKING-REFE");
    expect(session?.transactionDesc).toBe("Booking fee,");
    await expect(finalResult(daraja, accepted.checkoutRequestId)).resolves.toMatchObject({
      resultCode: "0",
    });
  });

  it.each([1, 250_000])("KES %i, the limits, is accepted by both", async (amount) => {
    const accepted = await client(t.baseUrl).stkPush(pushFor("254712000907", { amount }));
    expect(t.emulator.sessions.get(accepted.checkoutRequestId)?.amount).toBe(amount);
  });
});

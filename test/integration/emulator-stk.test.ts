/**
 * Every test number end to end over real HTTP: the push answer, STK Query before and after the
 * customer answers, and the callbacks a local receiver gets (timeScale 0.01: the 60 s prompt
 * timeout lasts 0.6 s).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CHECKOUT_REQUEST_ID_PATTERN,
  RECEIPT_PATTERN,
  REQUEST_ID_PATTERN,
} from "../../src/emulator/identifiers.ts";
import {
  type CallbackReceiver,
  type DarajaAnswer,
  darajaPost,
  fetchToken,
  type ReceivedCallback,
  startCallbackReceiver,
  startTestEmulator,
  stkCallbackOf,
  stkPushBody,
  stkQueryBody,
  type TestEmulator,
} from "../support/emulator.ts";

const PUSH = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";
/** 60 s prompt timeout at timeScale 0.01. */
const PROMPT_TIMEOUT_MS = 600;
/** The 30 s a lost push response keeps the connection silent, at timeScale 0.01. */
const RESPONSE_LOST_HOLD_MS = 300;

let t: TestEmulator;
let receiver: CallbackReceiver;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator({ responseLostHoldMs: 30_000 });
  receiver = await startCallbackReceiver();
  token = await fetchToken(t.baseUrl);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(() => {
  t.emulator.reset();
  receiver.received.length = 0;
});

let counter = 0;
/** Pushes to `phone` with a callback URL unique to this push. */
async function push(phone: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  const path = `/cb/pay_${counter}?sig=abc&n=${counter}`;
  // Taken before sending: a lower bound for when the emulator started the session's timers.
  const at = Date.now();
  const answer = await darajaPost(
    t.baseUrl,
    PUSH,
    token,
    stkPushBody(phone, { CallBackURL: receiver.url(path), ...overrides }),
  );
  return { answer, path, id: answer.json?.CheckoutRequestID as string, at };
}
const query = (id: string) => darajaPost(t.baseUrl, QUERY, token, stkQueryBody(id));
const callbackFor = (path: string, timeoutMs = 3_000) => receiver.waitFor((c) => c.url === path, timeoutMs);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectFailureCallback(c: ReceivedCallback, code: number | string, desc: string) {
  const cb = stkCallbackOf(c);
  expect(Object.keys(cb)).toEqual(["MerchantRequestID", "CheckoutRequestID", "ResultCode", "ResultDesc"]);
  expect(cb.ResultCode).toBe(code);
  expect(cb.ResultDesc).toBe(desc);
}

function expectFinalQuery(answer: DarajaAnswer, id: string, code: string, desc: string) {
  expect(answer.status).toBe(200);
  expect(Object.keys(answer.json ?? {})).toEqual([
    "ResponseCode",
    "ResponseDescription",
    "MerchantRequestID",
    "CheckoutRequestID",
    "ResultCode",
    "ResultDesc",
  ]);
  expect(answer.json).toMatchObject({
    ResponseCode: "0",
    ResponseDescription: "The service request has been accepted successsfully",
    CheckoutRequestID: id,
    ResultCode: code,
    ResultDesc: desc,
  });
}

describe("254708374149: the customer pays", () => {
  it("accepts, answers 4999 while pending, then sends ONE success callback and a final query", async () => {
    // A wider window (the customer answers after 300 ms) so a busy machine still sees "pending".
    t.emulator.setTimeScale(0.1);
    const { answer, path, id } = await push("254708374149");
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("application/json;charset=UTF-8");
    expect(Object.keys(answer.json ?? {})).toEqual([
      "MerchantRequestID",
      "CheckoutRequestID",
      "ResponseCode",
      "ResponseDescription",
      "CustomerMessage",
    ]);
    expect(answer.json).toMatchObject({
      ResponseCode: "0",
      ResponseDescription: "Success. Request accepted for processing",
      CustomerMessage: "Success. Request accepted for processing",
    });
    expect(answer.json?.MerchantRequestID).toMatch(REQUEST_ID_PATTERN);
    expect(id).toMatch(CHECKOUT_REQUEST_ID_PATTERN);
    expect(id.endsWith("708374149")).toBe(true);

    const pending = await query(id);
    expect(pending.status).toBe(200);
    expect(pending.text).toBe(
      '{"ResultCode":"4999","ResultDesc":"The transaction is still under processing"}',
    );

    const c = await callbackFor(path);
    expect(c.method).toBe("POST");
    expect(c.url).toBe(path);
    expect(c.headers["content-type"]).toBe("application/json;charset=UTF-8");
    expect(c.headers.businessshortcode).toBe("174379");
    expect(c.headers.authorization).toBeUndefined();
    const cb = stkCallbackOf(c);
    expect(Object.keys(cb)).toEqual([
      "MerchantRequestID",
      "CheckoutRequestID",
      "ResultCode",
      "ResultDesc",
      "CallbackMetadata",
    ]);
    expect(cb).toMatchObject({
      MerchantRequestID: answer.json?.MerchantRequestID,
      CheckoutRequestID: id,
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
    });
    const items = (cb.CallbackMetadata as { Item: { Name: string; Value?: unknown }[] }).Item;
    expect(items.map((i) => i.Name)).toEqual([
      "Amount",
      "MpesaReceiptNumber",
      "Balance",
      "TransactionDate",
      "PhoneNumber",
    ]);
    expect(items[0]?.Value).toBe(500);
    expect(items[1]?.Value).toMatch(RECEIPT_PATTERN);
    expect("Value" in (items[2] ?? {})).toBe(false);
    expect(typeof items[3]?.Value).toBe("number");
    expect(String(items[3]?.Value)).toMatch(/^20\d{12}$/);
    expect(items[4]?.Value).toBe(254708374149);

    expectFinalQuery(await query(id), id, "0", "The service request is processed successfully.");
    await sleep(100);
    expect(receiver.received.filter((r) => r.url === path)).toHaveLength(1);
    const [delivery] = t.emulator.deliveries.list({ checkoutRequestId: id });
    expect(delivery).toMatchObject({
      status: "answered",
      responseStatus: 200,
      copy: "first",
      url: receiver.url(path),
    });
    expect(delivery?.responseBody).toContain("Accepted");
  });

  it("never retries, whatever the receiver answers", async () => {
    const failing = await startCallbackReceiver(() => ({ status: 500, body: "boom" }));
    try {
      const answer = await darajaPost(
        t.baseUrl,
        PUSH,
        token,
        stkPushBody("254708374149", { CallBackURL: failing.url("/x") }),
      );
      const id = answer.json?.CheckoutRequestID as string;
      await failing.waitFor(() => true);
      await sleep(150);
      expect(failing.received).toHaveLength(1);
      expect(t.emulator.deliveries.list({ checkoutRequestId: id })).toMatchObject([
        { status: "answered", responseStatus: 500, responseBody: "boom" },
      ]);
    } finally {
      await failing.close();
    }
  });

  it("records an unreachable receiver as failed, once", async () => {
    const gone = await startCallbackReceiver();
    const url = gone.url("/gone");
    await gone.close();
    const answer = await darajaPost(
      t.baseUrl,
      PUSH,
      token,
      stkPushBody("254708374149", { CallBackURL: url }),
    );
    const id = answer.json?.CheckoutRequestID as string;
    const delivery = await t.emulator.deliveries.waitFor(
      (d) => d.checkoutRequestId === id && d.status === "failed",
    );
    expect(delivery.error).toMatch(/fetch failed|ECONNREFUSED/);
    expect(t.emulator.deliveries.list({ checkoutRequestId: id })).toHaveLength(1);
  });
});

describe("scripted failures", () => {
  it.each<[string, string, number | string, string, string]>([
    [
      "254711111111",
      "insufficient funds",
      1,
      "The balance is insufficient for the transaction.",
      "The balance is insufficient for the transaction.",
    ],
    ["254700001032", "cancel", 1032, "Request Cancelled by user.", "Request cancelled by user"],
    [
      "254700002001",
      "wrong PIN",
      2001,
      "The initiator information is invalid.",
      "The initiator information is invalid.",
    ],
    [
      "254700001025",
      "prompt not sent",
      1025,
      "An error occurred while sending a push request.",
      "An error occurred while sending a push request.",
    ],
    ["254700000017", "rule limited", 17, "Rule limited.", "Rule limited."],
  ])(
    "%s (%s) → callback %s and the same code as a string in the query",
    async (phone, _name, code, callbackDesc, queryDesc) => {
      const { answer, path, id } = await push(phone);
      expect(answer.status).toBe(200);
      expectFailureCallback(await callbackFor(path), code, callbackDesc);
      expectFinalQuery(await query(id), id, String(code), queryDesc);
    },
  );

  it.each<[string, number, string, string]>([
    ["254700001037", 1037, "No response from user.", "DS timeout user cannot be reached."],
    ["254700001019", 1019, "Transaction has expired", "Transaction has expired"],
  ])("%s ends only when the prompt times out (%i)", async (phone, code, callbackDesc, queryDesc) => {
    const { path, id, at } = await push(phone);
    await sleep(PROMPT_TIMEOUT_MS / 2);
    expect((await query(id)).json?.ResultCode).toBe("4999");
    const c = await callbackFor(path);
    expect(c.receivedAt - at).toBeGreaterThanOrEqual(PROMPT_TIMEOUT_MS - 5);
    expectFailureCallback(c, code, callbackDesc);
    expectFinalQuery(await query(id), id, String(code), queryDesc);
  });

  it("254700000000 pays at once", async () => {
    const { path, at } = await push("254700000000");
    const c = await callbackFor(path);
    expect(stkCallbackOf(c).ResultCode).toBe(0);
    expect(c.receivedAt - at).toBeLessThan(PROMPT_TIMEOUT_MS);
  });
});

describe("refused pushes", () => {
  it("254700001001 → 500.001.1001 Unable to lock subscriber, no session", async () => {
    const { answer } = await push("254700001001");
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({
      errorCode: "500.001.1001",
      errorMessage:
        "Unable to lock subscriber, a transaction is already in process for the current subscriber",
    });
    expect(t.emulator.sessions.list()).toHaveLength(0);
  });

  it("254700009004 → 500.003.02 spike arrest", async () => {
    const { answer } = await push("254700009004");
    expect(answer.status).toBe(500);
    expect(answer.json?.errorCode).toBe("500.003.02");
    expect(answer.json?.requestId).toMatch(REQUEST_ID_PATTERN);
  });

  it("254700009005 → 503 with an HTML body and no session", async () => {
    const { answer } = await push("254700009005");
    expect(answer.status).toBe(503);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.json).toBeUndefined();
    expect(answer.text).toContain("503 Service Unavailable");
    expect(t.emulator.sessions.list()).toHaveLength(0);
  });

  it("a second push to a phone with an open prompt → Unable to lock subscriber", async () => {
    const first = await push("254712000010");
    expect(first.answer.status).toBe(200);
    const second = await push("254712000010");
    expect(second.answer.status).toBe(500);
    expect(second.answer.json?.errorMessage).toMatch(/^Unable to lock subscriber/);
    t.emulator.resolve(first.id, "cancel");
    expect((await push("254712000010")).answer.status).toBe(200);
  });

  it("an unknown CheckoutRequestID → 500.001.1001 The transaction does not Exist", async () => {
    const answer = await query("ws_CO_01012026120000000712000000");
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({
      errorCode: "500.001.1001",
      errorMessage: "The transaction does not Exist",
    });
  });
});

describe("callback oddities", () => {
  it("254700009001 pays but never calls back; only the query knows", async () => {
    const { path, id } = await push("254700009001");
    await t.emulator.sessions.waitFor((s) => s.checkoutRequestId === id && s.status === "completed");
    expectFinalQuery(await query(id), id, "0", "The service request is processed successfully.");
    await sleep(100);
    expect(receiver.received.filter((r) => r.url === path)).toHaveLength(0);
    expect(t.emulator.deliveries.list({ checkoutRequestId: id })).toMatchObject([{ status: "suppressed" }]);
  });

  it("254700009002 sends the same callback twice", async () => {
    const { path } = await push("254700009002");
    await receiver.waitFor(() => receiver.received.filter((r) => r.url === path).length === 2);
    const [a, b] = receiver.received.filter((r) => r.url === path);
    expect(a?.body).toBe(b?.body);
    expect(stkCallbackOf(a!).ResultCode).toBe(0);
  });

  it("254700009003 is paid as far as the query knows, but the callback comes after the prompt timeout", async () => {
    const { path, id, at } = await push("254700009003");
    await t.emulator.sessions.waitFor((s) => s.checkoutRequestId === id && s.status === "completed");
    expect((await query(id)).json?.ResultCode).toBe("0");
    expect(receiver.received.filter((r) => r.url === path)).toHaveLength(0);
    const c = await callbackFor(path);
    expect(c.receivedAt - at).toBeGreaterThanOrEqual(PROMPT_TIMEOUT_MS);
    expect(stkCallbackOf(c).ResultCode).toBe(0);
  });

  it("254700009006: the push is accepted and paid, but no answer comes; the connection closes after the hold", async () => {
    const path = "/cb/lost?sig=1";
    const started = Date.now();
    await expect(
      darajaPost(t.baseUrl, PUSH, token, stkPushBody("254700009006", { CallBackURL: receiver.url(path) })),
    ).rejects.toThrow(/fetch failed/);
    // Silent for the whole hold (30 s at time scale 1), so a client with a shorter timeout times out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(RESPONSE_LOST_HOLD_MS - 5);
    const [session] = t.emulator.sessions.list({ phoneNumber: "254700009006" });
    expect(session?.responseLost).toBe(true);
    expect(stkCallbackOf(await callbackFor(path)).ResultCode).toBe(0);
    expect(t.emulator.requests.list({ path: PUSH }).at(-1)?.status).toBe("dropped");
  });

  it("254700009006: a client whose timeout is shorter than the hold sees a timeout", async () => {
    const response = fetch(`${t.baseUrl}${PUSH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(stkPushBody("254700009006", { CallBackURL: receiver.url("/cb/timeout") })),
      signal: AbortSignal.timeout(100),
    });
    await expect(response).rejects.toMatchObject({ name: "TimeoutError" });
    expect(t.emulator.sessions.list({ phoneNumber: "254700009006" })).toHaveLength(1);
  });
});

describe("accepted now, failing later", () => {
  it("an over-long AccountReference fails in the callback with 1025", async () => {
    const { answer, path } = await push("254708374149", { AccountReference: "BOOKING-REFERENCE-0001" });
    expect(answer.status).toBe(200);
    expectFailureCallback(await callbackFor(path), 1025, "An error occurred while sending a push request.");
  });

  it("a paybill push whose PartyB is not the shortcode fails with the STRING code SFC_IC0003", async () => {
    const { answer, path, id } = await push("254708374149", { PartyB: "600000" });
    expect(answer.status).toBe(200);
    expectFailureCallback(await callbackFor(path), "SFC_IC0003", "The operator does not exist.");
    expect((await query(id)).json?.ResultCode).toBe("SFC_IC0003");
  });
});

describe("interactive numbers", () => {
  it("wait for the phone: PIN pays, and nobody answering ends as 1037", async () => {
    const paid = await push("254712000020");
    await sleep(100);
    expect((await query(paid.id)).json?.ResultCode).toBe("4999");
    t.emulator.answerPrompt("254712000020", { kind: "pin", pin: "1234" });
    expect(stkCallbackOf(await callbackFor(paid.path)).ResultCode).toBe(0);

    const ignored = await push("254712000021");
    expectFailureCallback(await callbackFor(ignored.path), 1037, "No response from user.");
  });
});

describe("the older query style", () => {
  it("answers 500.001.1001 'being processed' with the CheckoutRequestID as requestId", async () => {
    const old = await startTestEmulator({ queryProcessingStyle: "500" });
    try {
      const tk = await fetchToken(old.baseUrl);
      const pushed = await darajaPost(old.baseUrl, PUSH, tk, stkPushBody("254712000030"));
      const id = pushed.json?.CheckoutRequestID as string;
      const answer = await darajaPost(old.baseUrl, QUERY, tk, stkQueryBody(id));
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({
        requestId: id,
        errorCode: "500.001.1001",
        errorMessage: "The transaction is being processed",
      });
    } finally {
      await old.close();
    }
  });
});

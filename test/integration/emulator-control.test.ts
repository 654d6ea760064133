/**
 * The control API under /__emulator over real HTTP: inspection, resolving prompts, scripting
 * numbers, time scale, seeded faults, reset, the phone endpoints, the pages and the OpenAPI document.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  basicAuth,
  type CallbackReceiver,
  darajaPost,
  EMULATOR_CREDENTIALS,
  fetchToken,
  readAnswer,
  startCallbackReceiver,
  startTestEmulator,
  stkCallbackOf,
  stkPushBody,
  stkQueryBody,
  type TestEmulator,
} from "../support/emulator.ts";

const PUSH = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";

let t: TestEmulator;
let receiver: CallbackReceiver;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator();
  receiver = await startCallbackReceiver();
  token = await fetchToken(t.baseUrl);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  expect((await control("POST", "/reset")).status).toBe(200);
  receiver.received.length = 0;
});

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${t.baseUrl}/__emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
  return readAnswer(response);
}
const push = (phone: string, path = `/cb/${phone}`) =>
  darajaPost(t.baseUrl, PUSH, token, stkPushBody(phone, { CallBackURL: receiver.url(path) }));
const query = (id: string) => darajaPost(t.baseUrl, QUERY, token, stkQueryBody(id));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("inspection", () => {
  it("describes itself: base URL, credentials, merchants, test numbers", async () => {
    const info = await control("GET", "/info");
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({
      baseUrl: t.baseUrl,
      consumerKey: "malipo-emulator-key",
      consumerSecret: "malipo-emulator-secret",
      merchants: [{ shortcode: "174379" }],
      timeScale: 0.01,
    });
    expect(info.json?.testNumbers).toHaveLength(16);
  });

  it("lists and shows sessions, requests and callback deliveries", async () => {
    const pushed = await push("254700000000");
    const id = pushed.json?.CheckoutRequestID as string;
    await receiver.waitFor((c) => c.url === "/cb/254700000000");
    const sessions = await control("GET", "/sessions?phoneNumber=0700000000");
    expect(sessions.json?.sessions).toMatchObject([
      { checkoutRequestId: id, status: "completed", amount: 500 },
    ]);
    const one = await control("GET", `/sessions/${id}`);
    expect(one.json).toMatchObject({
      session: {
        checkoutRequestId: id,
        result: { resultCode: 0 },
        receipt: { mpesaReceiptNumber: expect.any(String) },
      },
    });
    const deliveries = await control("GET", `/callbacks?checkoutRequestId=${id}`);
    expect(deliveries.json?.deliveries).toMatchObject([{ status: "answered", responseStatus: 200 }]);
    const requests = await control("GET", `/requests?path=${encodeURIComponent(PUSH)}`);
    expect(requests.json?.requests).toMatchObject([{ method: "POST", status: 200, checkoutRequestId: id }]);
    expect((await control("GET", "/sessions/ws_CO_nope")).status).toBe(404);
  });
});

describe("resolving prompts", () => {
  it.each<[string, number]>([
    ["pay", 0],
    ["cancel", 1032],
    ["wrong_pin", 2001],
    ["timeout", 1037],
    ["insufficient_funds", 1],
    ["expired", 1019],
  ])("%s → callback %i", async (action, code) => {
    const pushed = await push("254712000100");
    const id = pushed.json?.CheckoutRequestID as string;
    const resolved = await control("POST", `/sessions/${id}/resolve`, { action });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ session: { status: "completed", resolvedBy: "control" } });
    expect(stkCallbackOf(await receiver.waitFor(() => true)).ResultCode).toBe(code);
    expect((await query(id)).json?.ResultCode).toBe(String(code));
    expect((await control("POST", `/sessions/${id}/resolve`, { action })).json).toMatchObject({
      error: { code: "SESSION_NOT_PENDING" },
    });
  });

  it("refuses unknown actions and unknown sessions", async () => {
    expect((await control("POST", "/sessions/ws_CO_x/resolve", { action: "pay" })).status).toBe(404);
    const pushed = await push("254712000101");
    const bad = await control("POST", `/sessions/${pushed.json?.CheckoutRequestID}/resolve`, {
      action: "explode",
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: "INVALID_INPUT" } });
  });
});

describe("scripting numbers and time", () => {
  it("sets and clears the outcome of any number", async () => {
    const set = await control("PUT", "/numbers/0712000200/outcome", { outcome: "cancel" });
    expect(set.json).toEqual({ msisdn: "254712000200", outcome: "cancel" });
    expect((await control("GET", "/numbers")).json?.overrides).toEqual([
      { msisdn: "254712000200", outcome: "cancel" },
    ]);
    await push("254712000200");
    expect(stkCallbackOf(await receiver.waitFor(() => true)).ResultCode).toBe(1032);
    const cleared = await control("DELETE", "/numbers/254712000200/outcome");
    expect(cleared.json).toEqual({ msisdn: "254712000200", outcome: "interactive" });
    expect((await control("PUT", "/numbers/12345/outcome", { outcome: "pay" })).status).toBe(400);
    expect((await control("PUT", "/numbers/254712000200/outcome", { outcome: "nope" })).status).toBe(400);
  });

  it("changes the time scale for delays scheduled afterwards", async () => {
    expect((await control("PUT", "/time-scale", { timeScale: 0.001 })).json).toEqual({ timeScale: 0.001 });
    const started = Date.now();
    await push("254700001037");
    await receiver.waitFor(() => true);
    expect(Date.now() - started).toBeLessThan(400);
    expect((await control("GET", "/time-scale")).json).toEqual({ timeScale: 0.001 });
    expect((await control("PUT", "/time-scale", { timeScale: -1 })).status).toBe(400);
  });
});

describe("faults", () => {
  const pattern = async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++)
      statuses.push((await push(`2547120003${String(i).padStart(2, "0")}`)).status);
    return statuses;
  };

  it("are reproducible with a seed", async () => {
    const config = { seed: 42, rates: { pushError: 0.5 } };
    expect((await control("PUT", "/faults", config)).status).toBe(200);
    const first = await pattern();
    expect(first).toContain(500);
    expect(first).toContain(200);
    const injected = (await control("GET", "/faults")).json?.injected as Record<string, number>;
    expect(injected.pushError).toBe(first.filter((s) => s === 500).length);
    await control("POST", "/reset");
    await control("PUT", "/faults", config);
    expect(await pattern()).toEqual(first);
  });

  it("inject 5xx on queries, spike arrest and dropped push responses", async () => {
    const pushed = await push("254712000400");
    const id = pushed.json?.CheckoutRequestID as string;
    await control("PUT", "/faults", { rates: { queryError: 1 } });
    expect((await query(id)).json).toMatchObject({
      errorCode: "500.001.1001",
      errorMessage: "The transaction does not Exist",
    });
    await control("PUT", "/faults", { rates: { spikeArrest: 1 } });
    expect((await push("254712000401")).json?.errorCode).toBe("500.003.02");
    expect((await query(id)).json?.errorCode).toBe("500.003.02");
    await control("PUT", "/faults", { rates: { pushResponseDropped: 1 } });
    await expect(push("254712000402")).rejects.toThrow(/fetch failed/);
    expect(t.emulator.sessions.pendingFor("254712000402")?.responseLost).toBe(true);
    expect((await control("DELETE", "/faults")).json).toMatchObject({ rates: { pushResponseDropped: 0 } });
    expect((await control("PUT", "/faults", { rates: { pushError: 2 } })).status).toBe(400);
  });

  it("lose, duplicate and delay callbacks", async () => {
    await control("PUT", "/faults", { rates: { callbackLost: 1 } });
    const lost = await push("254700000000", "/lost");
    await t.emulator.deliveries.waitFor((d) => d.checkoutRequestId === lost.json?.CheckoutRequestID);
    expect(t.emulator.deliveries.list()).toMatchObject([
      { status: "suppressed", note: "fault: callbackLost" },
    ]);

    await control("PUT", "/faults", { rates: { callbackDuplicate: 1 } });
    await push("254700000000", "/dup");
    await receiver.waitFor(() => receiver.received.filter((c) => c.url === "/dup").length === 2);

    await control("PUT", "/faults", { rates: { callbackDelayed: 1 }, delayedCallbackMs: 50_000 });
    const started = Date.now();
    await push("254700000000", "/late");
    await receiver.waitFor((c) => c.url === "/late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(480);
    expect(receiver.received.filter((c) => c.url === "/lost")).toHaveLength(0);
  });

  it("reorder callbacks: a held callback goes after the next one", async () => {
    const a = await push("254712000500", "/first");
    const b = await push("254712000501", "/second");
    await control("PUT", "/faults", { rates: { callbackReordered: 1 } });
    t.emulator.resolve(a.json?.CheckoutRequestID as string, "pay");
    await t.emulator.deliveries.waitFor((d) => d.status === "held");
    await control("PUT", "/faults", { rates: {} });
    t.emulator.resolve(b.json?.CheckoutRequestID as string, "pay");
    await receiver.waitFor(() => receiver.received.length === 2);
    expect(receiver.received.map((c) => c.url)).toEqual(["/second", "/first"]);
  });
});

describe("tokens", () => {
  const oauth = () =>
    fetch(`${t.baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: {
        Authorization: basicAuth(EMULATOR_CREDENTIALS.consumerKey, EMULATOR_CREDENTIALS.consumerSecret),
      },
    }).then(readAnswer);

  it("shortens the lifetime of new tokens; reset restores it", async () => {
    expect((await control("PUT", "/tokens", { ttlSeconds: 5 })).json).toMatchObject({ ttlSeconds: 5 });
    expect((await oauth()).json?.expires_in).toBe("5");
    expect((await control("GET", "/info")).json?.tokenTtlSeconds).toBe(5);
    expect((await control("PUT", "/tokens", { ttlSeconds: 0 })).status).toBe(400);
    await control("POST", "/reset");
    expect((await control("GET", "/tokens")).json).toMatchObject({ ttlSeconds: 3599 });
    expect((await oauth()).json?.expires_in).toBe("3599");
  });

  it("expires every issued token at once: the next call gets 404.001.03, a new token works", async () => {
    const old = (await oauth()).json?.access_token as string;
    const expired = await control("DELETE", "/tokens");
    expect(expired.json?.expired).toBeGreaterThanOrEqual(1);
    expect(expired.json?.valid).toBe(0);
    const refused = await darajaPost(t.baseUrl, PUSH, old, stkPushBody("254712000650"));
    expect(refused.status).toBe(404);
    expect(refused.json?.errorCode).toBe("404.001.03");
    token = await fetchToken(t.baseUrl); // the shared token of this file was expired too
    expect((await darajaPost(t.baseUrl, PUSH, token, stkPushBody("254712000650"))).status).toBe(200);
  });
});

describe("reset", () => {
  it("forgets everything and cancels pending timers; tokens stay valid", async () => {
    // A prompt left unanswered: its timeout (0.6 s here) would send a 1037 callback unless the
    // reset cancels it; waiting longer than that proves it did (a number that pays could call
    // back before the reset on a busy machine).
    await push("254712000599", "/never");
    await control("PUT", "/numbers/254712000600/outcome", { outcome: "pay" });
    await control("PUT", "/faults", { rates: { pushError: 0.1 } });
    expect((await control("POST", "/reset")).json).toEqual({ reset: true });
    await sleep(900);
    expect(receiver.received).toHaveLength(0);
    expect((await control("GET", "/sessions")).json?.sessions).toEqual([]);
    expect((await control("GET", "/requests")).json?.requests).toEqual([]);
    expect((await control("GET", "/numbers")).json?.overrides).toEqual([]);
    expect((await control("GET", "/faults")).json).toMatchObject({ rates: { pushError: 0 } });
    expect((await push("254708374149")).status).toBe(200);
  });

  it("restores the time scale the emulator started with", async () => {
    await control("PUT", "/time-scale", { timeScale: 0.5 });
    await control("POST", "/reset");
    expect((await control("GET", "/time-scale")).json).toEqual({ timeScale: 0.01 });
  });
});

describe("the simulated phone", () => {
  it("shows the open prompt and takes a PIN or Cancel", async () => {
    expect((await control("GET", "/phone/254712000700/prompt")).json).toEqual({
      msisdn: "254712000700",
      prompt: null,
      last: null,
      received: [],
    });
    const pushed = await push("254712000700");
    const id = pushed.json?.CheckoutRequestID as string;
    const view = await control("GET", "/phone/254712000700/prompt");
    expect(view.json?.prompt).toMatchObject({
      checkoutRequestId: id,
      text: "Pay KES 500 to MALIPO, account BK12345. Enter M-PESA PIN",
    });
    expect(
      (await control("POST", "/phone/254712000700/pin", { checkoutRequestId: id, pin: "12" })).status,
    ).toBe(400);
    const wrong = await control("POST", "/phone/254712000700/pin", { checkoutRequestId: id, pin: "0000" });
    expect(wrong.json).toMatchObject({
      resultCode: 2001,
      message: "Wrong M-PESA PIN. The payment was not made.",
    });
    expect((await control("POST", "/phone/254712000700/cancel", {})).status).toBe(409);

    const again = await push("254712000700");
    await control("POST", "/phone/254712000700/cancel", { checkoutRequestId: again.json?.CheckoutRequestID });
    expect((await control("GET", "/phone/254712000700/prompt")).json?.last).toMatchObject({
      resultCode: 1032,
    });
  });

  it("serves the phone page (canonical number) and the home page", async () => {
    const page = await fetch(`${t.baseUrl}/__emulator/phone/254712000800`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<label for="pin">M-PESA PIN</label>');
    const redirect = await fetch(`${t.baseUrl}/__emulator/phone/0712000800`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("/__emulator/phone/254712000800");
    const home = await (await fetch(`${t.baseUrl}/__emulator`)).text();
    expect(home).toContain("254700009006");
    expect(home).toContain("malipo-emulator-key");
  });

  it("publishes an OpenAPI document and answers unknown control paths in JSON", async () => {
    const spec = await control("GET", "/openapi.json");
    expect(spec.json?.openapi).toBe("3.0.3");
    // Every Daraja and control route, with its methods (the HTML pages are not API).
    const paths = (spec.json?.paths ?? {}) as Record<string, Record<string, { requestBody?: unknown }>>;
    const documented = Object.entries(paths).map(
      ([path, operations]) => `${Object.keys(operations).sort().join(",")} ${path}`,
    );
    expect(documented.sort()).toEqual(
      [
        `get /oauth/v1/generate`,
        `post ${PUSH}`,
        `post ${QUERY}`,
        "post /mpesa/b2c/v1/paymentrequest",
        "post /mpesa/b2c/v3/paymentrequest",
        "post /mpesa/reversal/v1/request",
        "post /mpesa/transactionstatus/v1/query",
        "post /mpesa/accountbalance/v1/query",
        "get /__emulator/certificate",
        "get /__emulator/conversations",
        "get /__emulator/conversations/{conversationId}",
        "get /__emulator/results",
        "get /__emulator/transactions",
        "get /__emulator/statement.csv",
        "get /__emulator/accounts",
        "put /__emulator/accounts/{shortcode}",
        "get /__emulator/payout-numbers",
        "delete,put /__emulator/numbers/{msisdn}/payout-outcome",
        "get /__emulator/info",
        "get /__emulator/numbers",
        "delete,put /__emulator/numbers/{msisdn}/outcome",
        "get /__emulator/sessions",
        "get /__emulator/sessions/{checkoutRequestId}",
        "post /__emulator/sessions/{checkoutRequestId}/resolve",
        "get /__emulator/requests",
        "get /__emulator/callbacks",
        "get,put /__emulator/time-scale",
        "delete,get,put /__emulator/faults",
        "delete,get,put /__emulator/tokens",
        "post /__emulator/reset",
        "get /__emulator/phone/{msisdn}/prompt",
        "post /__emulator/phone/{msisdn}/pin",
        "post /__emulator/phone/{msisdn}/cancel",
      ].sort(),
    );
    const resolve = paths["/__emulator/sessions/{checkoutRequestId}/resolve"]?.post;
    expect(JSON.stringify(resolve?.requestBody)).toContain('"timeout"');
    expect((await control("GET", "/nothing")).json).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await control("POST", "/faults")).status).toBe(404);
  });
});

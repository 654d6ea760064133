/**
 * The emulator must work with existing public Daraja client libraries unmodified, apart from their
 * base URL. Each test replays, byte for byte, the requests one library sends (headers and their
 * spelling, body key order, value types, its JSON encoder's escaping, its clock, its token habits),
 * read from the library's source:
 *
 * - safaricom/mpesa-node-library (Node, axios): `src/endpoints/{oauth,lipa-na-mpesa-online,
 *   lipa-na-mpesa-query}.js`, `src/helpers/request.js` — a NEW token before every call, `content-type`
 *   on the OAuth GET, UTC timestamp from `toISOString()`, numbers for shortcode, amount and phone,
 *   a 20-character default TransactionDesc.
 * - martinmogusu/django-daraja (Python, requests): `django_daraja/mpesa/{core,utils}.py` — base URL
 *   with a trailing slash, `Content-type` spelling, `json.dumps` spacing, everything a string but the
 *   amount, `datetime.now()` (UTC on a server).
 * - SmoDav/mpesa (PHP, Guzzle): `src/Mpesa/C2B/STK.php`, `src/Mpesa/Auth/Authenticator.php`,
 *   `src/Mpesa/Traits/UsesCore.php`, `config/mpesa.php` — integers from the PHP config,
 *   `json_encode` escaping slashes (`http:\/\/…`), a callback URL with a query string,
 *   `Content-Type: application/json` on the OAuth GET, UTC Carbon timestamp.
 * - jwambugu/mpesa-golang-sdk (Go, net/http): `mpesa.go`, `api-schema.go` — every number a JSON
 *   number (`uint`), HTML-safe escaping (`\u0026`), the query body in ANOTHER key order
 *   (BusinessShortCode, CheckoutRequestID, Password, Timestamp), `expires_in` decoded into a Go
 *   string (a number would break it).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type RawAnswer as Answer,
  basic,
  expectToken,
  goJson,
  OAUTH,
  password,
  phpJson,
  pythonJson,
  type RawSend,
  rawSender,
  utcTimestamp,
} from "../support/client-libraries.ts";
import {
  type CallbackReceiver,
  startCallbackReceiver,
  startTestEmulator,
  stkCallbackOf,
  type TestEmulator,
} from "../support/emulator.ts";

const PUSH = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";

let t: TestEmulator;
let receiver: CallbackReceiver;
let send: RawSend;

beforeAll(async () => {
  t = await startTestEmulator();
  receiver = await startCallbackReceiver();
  send = rawSender(t.baseUrl);
});
beforeEach(() => {
  t.emulator.reset();
  receiver.received.length = 0;
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

function expectAccepted(answer: Answer): string {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe("application/json;charset=UTF-8");
  expect(answer.json).toMatchObject({ ResponseCode: "0" });
  return answer.json?.CheckoutRequestID as string;
}

/** Polls the way the library's user would, until the query gives a final ResultCode. */
async function queryUntilFinal(ask: () => Promise<Answer>): Promise<Answer> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const answer = await ask();
    expect(answer.status).toBe(200);
    if (answer.json?.ResultCode !== "4999" || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function expectPaidCallback(path: string, checkoutRequestId: string): Promise<void> {
  const callback = await receiver.waitFor((c) => c.url === path);
  expect(callback.headers["content-type"]).toBe("application/json;charset=UTF-8");
  expect(stkCallbackOf(callback)).toMatchObject({ CheckoutRequestID: checkoutRequestId, ResultCode: 0 });
}

describe("requests exactly as public Daraja client libraries send them", () => {
  it("safaricom/mpesa-node-library (axios): a new token before every call, UTC time, numbers", async () => {
    const axiosHeaders = [["Accept", "application/json, text/plain, */*"]];
    const oauth = () =>
      send("GET", OAUTH, [
        ...axiosHeaders,
        ["Authorization", basic()],
        ["content-type", "application/json"],
        ["User-Agent", "axios/0.19.2"],
      ]);
    const post = async (path: string, body: Record<string, unknown>) => {
      const token = expectToken(await oauth()); // request() asks for a token every time
      return send(
        "POST",
        path,
        [
          ...axiosHeaders,
          ["Content-Type", "application/json"],
          ["Authorization", `Bearer ${token}`],
          ["User-Agent", "axios/0.19.2"],
        ],
        JSON.stringify(body),
      );
    };
    const shortCode = 174379; // lipaNaMpesaShortCode from the config object, a number
    const senderMsisdn = 254708374149;
    const callbackPath = "/lipanampesa/success";
    const timeStamp = utcTimestamp();
    const checkoutRequestId = expectAccepted(
      await post(PUSH, {
        BusinessShortCode: shortCode,
        Password: password(shortCode, timeStamp),
        Timestamp: timeStamp,
        TransactionType: "CustomerPayBillOnline",
        Amount: 100,
        PartyA: senderMsisdn,
        PartyB: shortCode,
        PhoneNumber: senderMsisdn,
        CallBackURL: receiver.url(callbackPath),
        AccountReference: "x7k2p9q", // the README uses Math.random().toString(35).substr(2, 7)
        TransactionDesc: "Lipa na mpesa online",
      }),
    );
    const final = await queryUntilFinal(() => {
      const ts = utcTimestamp();
      return post(QUERY, {
        BusinessShortCode: shortCode,
        Password: password(shortCode, ts),
        Timestamp: ts,
        CheckoutRequestID: checkoutRequestId,
      });
    });
    expect(final.json).toMatchObject({ CheckoutRequestID: checkoutRequestId, ResultCode: "0" });
    await expectPaidCallback(callbackPath, checkoutRequestId);
    // One token per call, and every one of them still worked.
    const calls =
      t.emulator.requests.list({ path: PUSH }).length + t.emulator.requests.list({ path: QUERY }).length;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(t.emulator.requests.list({ path: "/oauth/v1/generate" })).toHaveLength(calls);
  });

  it("martinmogusu/django-daraja (requests): strings everywhere but Amount, json.dumps spacing", async () => {
    const baseUrlPath = "/"; // api_base_url() ends with a slash; paths are appended without one
    const requestsHeaders = [
      ["User-Agent", "python-requests/2.31.0"],
      ["Accept-Encoding", "gzip, deflate"],
      ["Accept", "*/*"],
      ["Connection", "keep-alive"],
    ];
    const token = expectToken(
      await send("GET", `${baseUrlPath}oauth/v1/generate?grant_type=client_credentials`, [
        ...requestsHeaders,
        ["Authorization", basic()],
      ]),
    );
    const post = (path: string, body: Record<string, unknown>) =>
      send(
        "POST",
        `${baseUrlPath}${path.slice(1)}`,
        [...requestsHeaders, ["Authorization", `Bearer ${token}`], ["Content-type", "application/json"]],
        pythonJson(body),
      );
    const businessShortCode = "174379"; // MPESA_EXPRESS_SHORTCODE from settings, a string
    const phoneNumber = `254${"0700000000".slice(-9)}`; // format_phone_number('0700000000')
    const timestamp = utcTimestamp();
    const callbackPath = "/daraja/stk-push";
    const checkoutRequestId = expectAccepted(
      await post(PUSH, {
        BusinessShortCode: businessShortCode,
        Password: password(businessShortCode, timestamp),
        Timestamp: timestamp,
        TransactionType: "CustomerPayBillOnline",
        Amount: 1,
        PartyA: phoneNumber,
        PartyB: businessShortCode,
        PhoneNumber: phoneNumber,
        CallBackURL: receiver.url(callbackPath),
        AccountReference: "reference",
        TransactionDesc: "Description",
      }),
    );
    // The library has no query call; its users write one the same way.
    const final = await queryUntilFinal(() => {
      const ts = utcTimestamp();
      return post(QUERY, {
        BusinessShortCode: businessShortCode,
        Password: password(businessShortCode, ts),
        Timestamp: ts,
        CheckoutRequestID: checkoutRequestId,
      });
    });
    expect(final.json?.ResultCode).toBe("0");
    await expectPaidCallback(callbackPath, checkoutRequestId);
  });

  it("SmoDav/mpesa (Guzzle): PHP integers, escaped slashes, a callback URL with a query string", async () => {
    const guzzle = [["User-Agent", "GuzzleHttp/7"]];
    const oauth = await send("GET", OAUTH, [
      ...guzzle,
      ["Authorization", basic()],
      ["Content-Type", "application/json"],
    ]);
    const token = expectToken(oauth); // cached for expires_in minus a minute
    const post = (path: string, body: Record<string, unknown>) =>
      send(
        "POST",
        path,
        [...guzzle, ["Authorization", `Bearer ${token}`], ["Content-Type", "application/json"]],
        phpJson(body),
      );
    const shortCode = 174379; // 'lnmo' => ['shortcode' => 174379, 'paybill' => 174379, …]
    const callbackPath = "/callback?secret=some_secret_hash_key";
    const time = utcTimestamp(); // Carbon::now()->format('YmdHis'), app timezone UTC
    const pushBody = {
      BusinessShortCode: shortCode,
      Password: password(shortCode, time),
      Timestamp: time,
      TransactionType: "CustomerPayBillOnline",
      Amount: 100,
      PartyA: 254700000000,
      PartyB: shortCode,
      PhoneNumber: 254700000000,
      CallBackURL: receiver.url(callbackPath),
      AccountReference: "INV001",
      TransactionDesc: "Test Payment",
    };
    expect(phpJson(pushBody)).toContain('"CallBackURL":"http:\\/\\/127.0.0.1:');
    const checkoutRequestId = expectAccepted(await post(PUSH, pushBody));
    const final = await queryUntilFinal(() => {
      const ts = utcTimestamp();
      return post(QUERY, {
        BusinessShortCode: shortCode,
        Password: password(shortCode, ts),
        Timestamp: ts,
        CheckoutRequestID: checkoutRequestId,
      });
    });
    expect(final.json?.ResultCode).toBe("0");
    await expectPaidCallback(callbackPath, checkoutRequestId);
  });

  it("jwambugu/mpesa-golang-sdk (net/http): JSON numbers, \\u0026 escapes, query keys in its own order", async () => {
    const goHeaders = [["User-Agent", "Go-http-client/1.1"]];
    const oauth = await send("GET", OAUTH, [
      ...goHeaders,
      ["Authorization", basic()], // req.SetBasicAuth
      ["Accept-Encoding", "gzip"],
    ]);
    expect(typeof oauth.json?.expires_in).toBe("string"); // decoded into `ExpiresIn string`
    const token = expectToken(oauth);
    const post = (path: string, body: Record<string, unknown>) =>
      send(
        "POST",
        path,
        [
          ...goHeaders,
          ["Content-Type", "application/json"],
          ["Authorization", `Bearer ${token}`],
          ["Accept-Encoding", "gzip"],
        ],
        goJson(body),
      );
    const shortCode = 174379; // BusinessShortCode uint
    const callbackPath = "/mpesa/callback?order=42&sig=abc";
    const timestamp = utcTimestamp(); // time.Now().Format("20060102150405"), UTC container
    const pushBody = {
      BusinessShortCode: shortCode,
      Password: password(shortCode, timestamp),
      Timestamp: timestamp,
      TransactionType: "CustomerPayBillOnline",
      Amount: 1,
      PartyA: 254708374149,
      PartyB: shortCode,
      PhoneNumber: 254708374149,
      CallBackURL: receiver.url(callbackPath),
      AccountReference: "Test",
      TransactionDesc: "Test",
    };
    expect(goJson(pushBody)).toContain("?order=42\\u0026sig=abc");
    const checkoutRequestId = expectAccepted(await post(PUSH, pushBody));
    const final = await queryUntilFinal(() => {
      const ts = utcTimestamp();
      // STKQueryRequest's field order: BusinessShortCode, CheckoutRequestID, Password, Timestamp.
      return post(QUERY, {
        BusinessShortCode: shortCode,
        CheckoutRequestID: checkoutRequestId,
        Password: password(shortCode, ts),
        Timestamp: ts,
      });
    });
    expect(final.json?.ResultCode).toBe("0");
    await expectPaidCallback(callbackPath, checkoutRequestId);
  });
});

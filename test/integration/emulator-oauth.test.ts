/**
 * The emulator's gateway behaviour over real HTTP: OAuth, bearer tokens, paths and methods,
 * Content-Type handling, and every STK Push validation error in Daraja's shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { SANDBOX_PASSKEY, stkPassword } from "../../src/daraja/password.ts";
import { REQUEST_ID_PATTERN } from "../../src/emulator/identifiers.ts";
import {
  basicAuth,
  darajaPost,
  EMULATOR_CREDENTIALS,
  fetchToken,
  readAnswer,
  startTestEmulator,
  stkPushBody,
  type TestEmulator,
} from "../support/emulator.ts";

const PUSH = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";
const OAUTH = "/oauth/v1/generate";

let t: TestEmulator;
let token: string;
beforeAll(async () => {
  t = await startTestEmulator();
  token = await fetchToken(t.baseUrl);
});
afterAll(() => t.close());

const oauth = async (
  authorization: string | null,
  query = "?grant_type=client_credentials",
  method = "GET",
) =>
  readAnswer(
    await fetch(`${t.baseUrl}${OAUTH}${query}`, {
      method,
      headers: authorization ? { Authorization: authorization } : {},
    }),
  );

describe("OAuth", () => {
  const valid = () => basicAuth(EMULATOR_CREDENTIALS.consumerKey, EMULATOR_CREDENTIALS.consumerSecret);

  it("issues a 28-character token with expires_in as the STRING 3599", async () => {
    const answer = await oauth(valid());
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("application/json;charset=UTF-8");
    expect(Object.keys(answer.json ?? {})).toEqual(["access_token", "expires_in"]);
    expect(answer.json?.expires_in).toBe("3599");
    expect(answer.json?.access_token).toMatch(/^[A-Za-z0-9]{28}$/);
  });

  it.each<[string, string | null]>([
    ["no Authorization header", null],
    ["a Bearer header", "Bearer abc"],
    ["garbled Basic", "Basic %%%"],
    ["Basic without a colon", `Basic ${Buffer.from("justakey").toString("base64")}`],
  ])("%s → 400.008.01", async (_name, header) => {
    const answer = await oauth(header);
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.json ?? {})).toEqual(["requestId", "errorCode", "errorMessage"]);
    expect(answer.json).toMatchObject({
      errorCode: "400.008.01",
      errorMessage: "Invalid Authentication passed",
    });
    expect(answer.json?.requestId).toMatch(REQUEST_ID_PATTERN);
  });

  it.each<[string, string]>([
    ["missing grant_type", ""],
    ["another grant type", "?grant_type=password"],
    ["trailing whitespace", "?grant_type=client_credentials%20"],
  ])("%s → 400.008.02", async (_name, query) => {
    const answer = await oauth(valid(), query);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errorCode: "400.008.02", errorMessage: "Invalid grant type passed" });
  });

  it("wrong key or secret → 400 with an EMPTY body", async () => {
    for (const header of [
      basicAuth("someone-else", EMULATOR_CREDENTIALS.consumerSecret),
      basicAuth(EMULATOR_CREDENTIALS.consumerKey, "nope"),
    ]) {
      const answer = await oauth(header);
      expect(answer.status).toBe(400);
      expect(answer.text).toBe("");
    }
  });

  it("POST on the OAuth path → 405.001", async () => {
    const answer = await oauth(valid(), "?grant_type=client_credentials", "POST");
    expect(answer.status).toBe(405);
    expect(answer.json).toMatchObject({ errorCode: "405.001", errorMessage: "Method Not Allowed" });
  });

  it("a new token does not invalidate an older one (clients fetch one per call)", async () => {
    const first = await fetchToken(t.baseUrl);
    const second = await fetchToken(t.baseUrl);
    expect(second).not.toBe(first);
    for (const tk of [first, second]) {
      const answer = await darajaPost(t.baseUrl, PUSH, tk, { BusinessShortCode: "x" });
      expect(answer.json?.errorCode).toBe("400.002.02");
    }
  });
});

describe("bearer tokens", () => {
  it.each<[string, Record<string, string>]>([
    ["missing", {}],
    ["unknown", { Authorization: "Bearer 0123456789012345678901234567" }],
    ["Basic instead of Bearer", { Authorization: basicAuth("a", "b") }],
  ])("%s token → 404.001.03 Invalid Access Token", async (_name, headers) => {
    for (const path of [PUSH, QUERY]) {
      const answer = await darajaPost(t.baseUrl, path, null, stkPushBody(), {
        "Content-Type": "application/json",
        ...headers,
      });
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ errorCode: "404.001.03", errorMessage: "Invalid Access Token" });
    }
  });

  it("an expired token → 404.001.03", async () => {
    const clock = new ManualClock(new Date());
    const short = await startTestEmulator({ clock, tokenTtlSeconds: 60 });
    try {
      const tk = await fetchToken(short.baseUrl);
      expect((await darajaPost(short.baseUrl, PUSH, tk, {})).json?.errorCode).toBe("400.002.02");
      clock.advance(61_000);
      const answer = await darajaPost(short.baseUrl, PUSH, tk, {});
      expect(answer.status).toBe(404);
      expect(answer.json?.errorCode).toBe("404.001.03");
    } finally {
      await short.close();
    }
  });
});

describe("paths, methods and bodies", () => {
  it("an unknown path → 404.001.01 Resource not found", async () => {
    const answer = await darajaPost(t.baseUrl, "/mpesa/stkpush/v2/processrequest", token, stkPushBody());
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ errorCode: "404.001.01", errorMessage: "Resource not found" });
  });

  it("GET on STK Push or Query → 405.001", async () => {
    for (const path of [PUSH, QUERY]) {
      const answer = await readAnswer(
        await fetch(`${t.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } }),
      );
      expect(answer.status).toBe(405);
      expect(answer.json?.errorCode).toBe("405.001");
    }
  });

  it.each<[string, Record<string, string>, string]>([
    ["no Content-Type", {}, JSON.stringify(stkPushBody())],
    ["text/plain", { "Content-Type": "text/plain" }, JSON.stringify(stkPushBody())],
    ["form encoding", { "Content-Type": "application/x-www-form-urlencoded" }, "BusinessShortCode=174379"],
    ["malformed JSON", { "Content-Type": "application/json" }, '{"BusinessShortCode":'],
    ["empty JSON body", { "Content-Type": "application/json" }, ""],
  ])("%s → the body is not read: 400.002.02 Invalid BusinessShortCode", async (_name, headers, body) => {
    const answer = await darajaPost(t.baseUrl, PUSH, token, body, headers);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      errorCode: "400.002.02",
      errorMessage: "Bad Request - Invalid BusinessShortCode",
    });
  });

  it("accepts application/json with a charset", async () => {
    const answer = await darajaPost(t.baseUrl, PUSH, token, stkPushBody("254712000001"), {
      "Content-Type": "application/json; charset=utf-8",
    });
    expect(answer.status).toBe(200);
  });
});

describe("STK Push validation over HTTP", () => {
  it.each<[string, Record<string, unknown>, number, string, string]>([
    [
      "BusinessShortCode",
      { BusinessShortCode: "abc" },
      400,
      "400.002.02",
      "Bad Request - Invalid BusinessShortCode",
    ],
    ["Timestamp", { Timestamp: "2026-01-01 10:00:00" }, 400, "400.002.02", "Bad Request - Invalid Timestamp"],
    ["Amount", { Amount: 0 }, 400, "400.002.02", "Bad Request - Invalid Amount"],
    ["Amount above the limit", { Amount: "250001" }, 400, "400.002.02", "Bad Request - Invalid Amount"],
    ["PartyA", { PartyA: "0712345678" }, 400, "400.002.02", "Bad Request - Invalid PartyA"],
    ["PhoneNumber", { PhoneNumber: "255712345678" }, 400, "400.002.02", "Bad Request - Invalid PhoneNumber"],
    [
      "CallBackURL",
      { CallBackURL: "https://<your-domain>/cb" },
      400,
      "400.002.02",
      "Bad Request - Invalid CallBackURL",
    ],
    ["TransactionDesc", { TransactionDesc: undefined }, 400, "400.002.02", "Bad Request - Invalid Remarks"],
    ["Password", { Password: "d3Jvbmc=" }, 500, "500.001.1001", "Wrong credentials"],
    [
      "unknown shortcode",
      { BusinessShortCode: "600999", PartyB: "600999" },
      500,
      "500.001.1001",
      "Merchant does not exist",
    ],
  ])("invalid %s", async (_name, overrides, status, errorCode, errorMessage) => {
    const answer = await darajaPost(t.baseUrl, PUSH, token, stkPushBody("254712000002", overrides));
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe("application/json;charset=UTF-8");
    expect(Object.keys(answer.json ?? {})).toEqual(["requestId", "errorCode", "errorMessage"]);
    expect(answer.json).toMatchObject({ errorCode, errorMessage });
    expect(answer.json?.requestId).toMatch(REQUEST_ID_PATTERN);
  });

  it("works for a client that sends a UTC timestamp, numbers as strings and a token per call", async () => {
    const utc = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const body = {
      BusinessShortCode: "174379",
      Password: stkPassword("174379", SANDBOX_PASSKEY, utc),
      Timestamp: utc,
      TransactionType: "CustomerPayBillOnline",
      Amount: "10",
      PartyA: 254712000003,
      PartyB: 174379,
      PhoneNumber: 254712000003,
      CallBackURL: "https://example.invalid/mpesa/callback",
      AccountReference: "Test",
      TransactionDesc: "Test",
    };
    const answer = await darajaPost(t.baseUrl, PUSH, await fetchToken(t.baseUrl), body);
    expect(answer.status).toBe(200);
    expect(answer.json?.ResponseCode).toBe("0");
  });

  it("strictTimestamp refuses a UTC timestamp but takes East Africa Time", async () => {
    const strict = await startTestEmulator({ strictTimestamp: true });
    try {
      const tk = await fetchToken(strict.baseUrl);
      const utc = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
      const bad = stkPushBody("254712000004", {
        Timestamp: utc,
        Password: stkPassword("174379", SANDBOX_PASSKEY, utc),
      });
      expect((await darajaPost(strict.baseUrl, PUSH, tk, bad)).json?.errorMessage).toBe(
        "Bad Request - Invalid Timestamp",
      );
      expect((await darajaPost(strict.baseUrl, PUSH, tk, stkPushBody("254712000004"))).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

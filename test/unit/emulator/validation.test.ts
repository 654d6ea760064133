import { describe, expect, it } from "vitest";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE, stkPassword } from "../../../src/daraja/password.ts";
import { toDarajaTimestamp } from "../../../src/daraja/timestamp.ts";
import { SANDBOX_MERCHANT } from "../../../src/emulator/options.ts";
import {
  isValidCallbackUrl,
  parseAmount,
  parseMsisdn,
  parseTimestamp,
  passwordMatches,
  type ValidationContext,
  validateStkPush,
  validateStkQuery,
} from "../../../src/emulator/validation.ts";

const NOW = new Date("2026-01-15T09:00:00.000Z"); // 12:00:00 EAT
const TS = toDarajaTimestamp(NOW);
const ctx = (strictTimestamp = false): ValidationContext => ({
  merchants: new Map([[SANDBOX_SHORTCODE, { ...SANDBOX_MERCHANT, name: "MALIPO" }]]),
  strictTimestamp,
  now: NOW,
});

/** The docs' own sample body, with a fresh Timestamp/Password. */
const push = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  BusinessShortCode: 174379,
  Password: stkPassword(SANDBOX_SHORTCODE, SANDBOX_PASSKEY, TS),
  Timestamp: TS,
  TransactionType: "CustomerPayBillOnline",
  Amount: "1",
  PartyA: "254708374149",
  PartyB: "174379",
  PhoneNumber: "254708374149",
  CallBackURL: "https://mydomain.com/path",
  AccountReference: "accountref",
  TransactionDesc: "txndesc",
  ...overrides,
});

const without = (field: string) => {
  const body = push();
  delete body[field];
  return body;
};

const rejection = (body: unknown, strict = false) => {
  const result = validateStkPush(body, ctx(strict));
  return result.ok ? null : result.rejection;
};

describe("STK Push validation", () => {
  it("accepts the documented sample (numbers and numeric strings mixed)", () => {
    const result = validateStkPush(push(), ctx());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      amount: 1,
      partyA: "254708374149",
      partyB: "174379",
      phoneNumber: "254708374149",
      timestamp: TS,
    });
    expect(result.value.merchant.shortcode).toBe("174379");
  });

  it.each<[string, unknown, string]>([
    ["body not an object", "BusinessShortCode=174379", "Invalid BusinessShortCode"],
    ["unparsed body", undefined, "Invalid BusinessShortCode"],
    ["missing BusinessShortCode", without("BusinessShortCode"), "Invalid BusinessShortCode"],
    ["letters in BusinessShortCode", push({ BusinessShortCode: "17437a" }), "Invalid BusinessShortCode"],
    ["missing Timestamp", without("Timestamp"), "Invalid Timestamp"],
    ["ISO Timestamp", push({ Timestamp: "2026-01-15T12:00:00" }), "Invalid Timestamp"],
    ["impossible Timestamp", push({ Timestamp: "20260231120000" }), "Invalid Timestamp"],
    ["unknown TransactionType", push({ TransactionType: "CustomerPayBill" }), "Invalid TransactionType"],
    ["missing Amount", without("Amount"), "Invalid Amount"],
    ["zero Amount", push({ Amount: 0 }), "Invalid Amount"],
    ["fractional Amount", push({ Amount: 10.5 }), "Invalid Amount"],
    ["fractional Amount string", push({ Amount: "10.50" }), "Invalid Amount"],
    ["Amount over 250,000", push({ Amount: 250_001 }), "Invalid Amount"],
    ["negative Amount", push({ Amount: "-5" }), "Invalid Amount"],
    ["local PartyA", push({ PartyA: "0708374149" }), "Invalid PartyA"],
    ["missing PartyB", without("PartyB"), "Invalid PartyB"],
    ["non-Kenyan PhoneNumber", push({ PhoneNumber: "255712345678" }), "Invalid PhoneNumber"],
    ["PhoneNumber with +", push({ PhoneNumber: "+254708374149" }), "Invalid PhoneNumber"],
    ["placeholder CallBackURL", push({ CallBackURL: "<YOUR_CALLBACK_URL>" }), "Invalid CallBackURL"],
    ["CallBackURL with spaces", push({ CallBackURL: "https://mydomain.com/ path" }), "Invalid CallBackURL"],
    ["CallBackURL without scheme", push({ CallBackURL: "mydomain.com/path" }), "Invalid CallBackURL"],
    ["missing AccountReference", without("AccountReference"), "Invalid AccountReference"],
    ["missing TransactionDesc", without("TransactionDesc"), "Invalid Remarks"],
    ["empty TransactionDesc", push({ TransactionDesc: "" }), "Invalid Remarks"],
  ])("%s → 400.002.02 Bad Request - %s", (_name, body, message) => {
    expect(rejection(body)).toEqual({ errorCode: "400.002.02", errorMessage: `Bad Request - ${message}` });
  });

  it("names the FIRST failing field in Daraja's order", () => {
    const body = push({ Timestamp: "x", Amount: 0, PhoneNumber: "1", TransactionDesc: undefined });
    expect(rejection(body)?.errorMessage).toBe("Bad Request - Invalid Timestamp");
    expect(rejection(push({ Amount: 0, PhoneNumber: "1" }))?.errorMessage).toBe(
      "Bad Request - Invalid Amount",
    );
  });

  it("checks the fields before the merchant, and the merchant before the Password", () => {
    expect(rejection(push({ BusinessShortCode: 600000, Amount: 0 }))?.errorMessage).toBe(
      "Bad Request - Invalid Amount",
    );
    expect(rejection(push({ BusinessShortCode: 600000, Password: "bad" }))).toEqual({
      errorCode: "500.001.1001",
      errorMessage: "Merchant does not exist",
    });
    expect(rejection(push({ Password: stkPassword("174379", "wrong-passkey", TS) }))).toEqual({
      errorCode: "500.001.1001",
      errorMessage: "Wrong credentials",
    });
  });

  it("refuses a Password built with another Timestamp", () => {
    const other = toDarajaTimestamp(new Date(NOW.getTime() + 1000));
    expect(rejection(push({ Password: stkPassword("174379", SANDBOX_PASSKEY, other) }))?.errorMessage).toBe(
      "Wrong credentials",
    );
  });

  it("accepts a UTC timestamp unless strict; strict wants EAT within five minutes", () => {
    const utc = NOW.toISOString().replace(/\D/g, "").slice(0, 14);
    const body = push({ Timestamp: utc, Password: stkPassword("174379", SANDBOX_PASSKEY, utc) });
    expect(rejection(body)).toBeNull();
    expect(rejection(body, true)?.errorMessage).toBe("Bad Request - Invalid Timestamp");
    expect(rejection(push(), true)).toBeNull();
  });

  it("accepts numbers and numeric strings alike", () => {
    const body = push({ Amount: 500, PartyA: 254708374149, PartyB: 174379, PhoneNumber: 254708374149 });
    expect(rejection(body)).toBeNull();
    expect(rejection(push({ Amount: "1.00", BusinessShortCode: "174379" }))).toBeNull();
  });

  it("accepts an over-long AccountReference synchronously (it fails later, in the callback)", () => {
    expect(rejection(push({ AccountReference: "A-VERY-LONG-ACCOUNT-REFERENCE" }))).toBeNull();
  });
});

describe("STK Query validation", () => {
  const query = (overrides: Record<string, unknown> = {}) => ({
    BusinessShortCode: "174379",
    Password: stkPassword(SANDBOX_SHORTCODE, SANDBOX_PASSKEY, TS),
    Timestamp: TS,
    CheckoutRequestID: "ws_CO_15012026120000000708374149",
    ...overrides,
  });
  const queryRejection = (body: unknown) => {
    const result = validateStkQuery(body, ctx());
    return result.ok ? null : result.rejection.errorMessage;
  };

  it.each<[string, unknown, string | null]>([
    ["valid", query(), null],
    ["unparsed", undefined, "Bad Request - Invalid BusinessShortCode"],
    ["bad Timestamp", query({ Timestamp: "2026" }), "Bad Request - Invalid Timestamp"],
    [
      "missing CheckoutRequestID",
      query({ CheckoutRequestID: undefined }),
      "Bad Request - Invalid CheckoutRequestID",
    ],
    ["unknown merchant", query({ BusinessShortCode: 600000 }), "Merchant does not exist"],
    ["wrong Password", query({ Password: "MTIz" }), "Wrong credentials"],
  ])("%s", (_name, body, expected) => {
    expect(queryRejection(body)).toBe(expected);
  });
});

describe("field parsers", () => {
  it.each<[unknown, number | null]>([
    [1, 1],
    ["1", 1],
    ["250000", 250_000],
    [250_000, 250_000],
    ["1.00", 1],
    [0, null],
    [1.5, null],
    ["1e3", null],
    [" 1", null],
    [null, null],
    [true, null],
  ])("parseAmount(%j) = %j", (input, expected) => expect(parseAmount(input)).toBe(expected));

  it.each<[unknown, string | null]>([
    ["254708374149", "254708374149"],
    [254708374149, "254708374149"],
    ["254112345678", "254112345678"],
    ["0708374149", null],
    ["254808374149", null],
    [2.54708374149e11 + 0.5, null],
  ])("parseMsisdn(%j) = %j", (input, expected) => expect(parseMsisdn(input)).toBe(expected));

  it.each<[string, boolean]>([
    ["https://mydomain.com/path", true],
    ["http://127.0.0.1:3000/api/mpesa/callback/pay_1?sig=abc", true],
    ["https://example.invalid/nkap/mpesa", true],
    ["https://LHOTE.trycloudflare.com/nkap/mpesa", false],
    ["https://<your-domain>/callback", false],
    ["https://mydomain.com/call back", false],
    ["ftp://mydomain.com/path", false],
    ["", false],
  ])("isValidCallbackUrl(%j) = %s", (url, expected) => expect(isValidCallbackUrl(url)).toBe(expected));

  it("parses timestamps given as strings or numbers", () => {
    expect(parseTimestamp("20260115120000", false, NOW)).toBe("20260115120000");
    expect(parseTimestamp(20260115120000, false, NOW)).toBe("20260115120000");
    expect(parseTimestamp("20261315120000", false, NOW)).toBeNull();
  });

  it("checks the Password as base64(shortcode + passkey + timestamp), padding optional", () => {
    const password = stkPassword("174379", SANDBOX_PASSKEY, "20210628092408");
    // The docs' sample Password decodes to exactly this.
    expect(password).toBe(
      "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4",
    );
    expect(passwordMatches(password, SANDBOX_MERCHANT, "20210628092408")).toBe(true);
    expect(passwordMatches(password.replace(/=+$/, ""), SANDBOX_MERCHANT, "20210628092408")).toBe(true);
    expect(passwordMatches(password, SANDBOX_MERCHANT, "20210628092409")).toBe(false);
    expect(passwordMatches(`${password}!`, SANDBOX_MERCHANT, "20210628092408")).toBe(false);
    expect(passwordMatches(12345, SANDBOX_MERCHANT, "20210628092408")).toBe(false);
  });
});

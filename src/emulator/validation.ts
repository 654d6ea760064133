/**
 * STK Push / Query request validation in Daraja's order: field formats first (400.002.02, naming
 * the first field that fails), then the merchant (500.001.1001 "Merchant does not exist"), then
 * the Password (500.001.1001 "Wrong credentials"). Tolerant where Daraja is: numbers or numeric
 * strings for Amount, PartyA, PartyB and PhoneNumber; any real timestamp unless `strictTimestamp`.
 */
import { isCanonicalMsisdn, type Msisdn } from "../daraja/phone.ts";
import { parseDarajaTimestamp } from "../daraja/timestamp.ts";
import type { TransactionType } from "../daraja/wire.ts";
import { type DarajaRejection, type InvalidField, rejections } from "./errors.ts";
import type { Merchant } from "./options.ts";

export const MIN_AMOUNT_KES = 1;
export const MAX_AMOUNT_KES = 250_000;
/** How far a Timestamp may be from now (in East Africa Time) when strict checking is on. */
export const STRICT_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

export type Validation<T> = { ok: true; value: T } | { ok: false; rejection: DarajaRejection };

export interface ValidationContext {
  merchants: ReadonlyMap<string, Required<Merchant>>;
  strictTimestamp: boolean;
  now: Date;
}

export interface ValidStkPush {
  merchant: Required<Merchant>;
  timestamp: string;
  transactionType: TransactionType;
  amount: number;
  partyA: Msisdn;
  partyB: string;
  phoneNumber: Msisdn;
  callbackUrl: string;
  accountReference: string;
  transactionDesc: string;
}

export interface ValidStkQuery {
  merchant: Required<Merchant>;
  checkoutRequestId: string;
}

const fail = (rejection: DarajaRejection): { ok: false; rejection: DarajaRejection } => ({
  ok: false,
  rejection,
});
const invalid = (field: InvalidField) => fail(rejections.invalidField(field));

/** Digits given as a JSON number or a string, returned as the string Daraja compares. */
export function digitsOf(value: unknown, pattern: RegExp): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    const text = String(value);
    return pattern.test(text) ? text : null;
  }
  return typeof value === "string" && pattern.test(value) ? value : null;
}

const SHORTCODE = /^\d{5,7}$/;

/** Whole KES 1–250,000, as a number or numeric string ("1" as in the docs' own sample, "1.00"). */
export function parseAmount(value: unknown): number | null {
  let amount: number;
  if (typeof value === "number") amount = value;
  else if (typeof value === "string" && /^\d{1,9}(\.0+)?$/.test(value)) amount = Number(value);
  else return null;
  if (!Number.isInteger(amount) || amount < MIN_AMOUNT_KES || amount > MAX_AMOUNT_KES) return null;
  return amount;
}

export function parseMsisdn(value: unknown): Msisdn | null {
  const text = digitsOf(value, /^\d{12}$/);
  return text !== null && isCanonicalMsisdn(text) ? text : null;
}

/** A real `YYYYMMDDHHmmss` calendar time (string, or a number some clients send); null when not. */
export function parseTimestamp(value: unknown, strict: boolean, now: Date): string | null {
  const text = digitsOf(value, /^\d{14}$/);
  if (text === null) return null;
  const instant = parseDarajaTimestamp(text);
  if (instant === null) return null;
  if (strict && Math.abs(instant.getTime() - now.getTime()) > STRICT_TIMESTAMP_TOLERANCE_MS) return null;
  return text;
}

/**
 * An http(s) URL as Daraja accepts it: placeholders (`<…>`), spaces and other characters that are
 * not allowed in URLs are refused, as is an upper-case host (observed on a tunnel URL). Hosts are
 * not resolved, so `http://127.0.0.1:3000/…` works for local development.
 */
export function isValidCallbackUrl(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return false;
  if (/[\s<>"{}|\\^`]/.test(value)) return false;
  const authority = /^https?:\/\/([^/?#]+)/.exec(value)?.[1];
  if (authority === undefined || /[A-Z]/.test(authority)) return false;
  try {
    return new URL(value).hostname.length > 0;
  } catch {
    return false;
  }
}

/** base64(BusinessShortCode + Passkey + Timestamp); padding may be left off. */
export function passwordMatches(password: unknown, merchant: Merchant, timestamp: string): boolean {
  if (typeof password !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(password)) return false;
  const decoded = Buffer.from(password, "base64").toString("utf8");
  return decoded === `${merchant.shortcode}${merchant.passkey}${timestamp}`;
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body);
}

function authorise(
  shortcode: string,
  password: unknown,
  timestamp: string,
  ctx: ValidationContext,
): Validation<Required<Merchant>> {
  const merchant = ctx.merchants.get(shortcode);
  if (merchant === undefined) return fail(rejections.merchantDoesNotExist);
  if (!passwordMatches(password, merchant, timestamp)) return fail(rejections.wrongCredentials);
  return { ok: true, value: merchant };
}

/** `body` is whatever the JSON parser produced; anything unparsed fails on its first field. */
export function validateStkPush(body: unknown, ctx: ValidationContext): Validation<ValidStkPush> {
  if (!isObject(body)) return invalid("BusinessShortCode");
  const shortcode = digitsOf(body.BusinessShortCode, SHORTCODE);
  if (shortcode === null) return invalid("BusinessShortCode");
  const timestamp = parseTimestamp(body.Timestamp, ctx.strictTimestamp, ctx.now);
  if (timestamp === null) return invalid("Timestamp");
  const transactionType = body.TransactionType;
  if (transactionType !== "CustomerPayBillOnline" && transactionType !== "CustomerBuyGoodsOnline")
    return invalid("TransactionType");
  const amount = parseAmount(body.Amount);
  if (amount === null) return invalid("Amount");
  const partyA = parseMsisdn(body.PartyA);
  if (partyA === null) return invalid("PartyA");
  const partyB = digitsOf(body.PartyB, SHORTCODE);
  if (partyB === null) return invalid("PartyB");
  const phoneNumber = parseMsisdn(body.PhoneNumber);
  if (phoneNumber === null) return invalid("PhoneNumber");
  if (!isValidCallbackUrl(body.CallBackURL)) return invalid("CallBackURL");
  const accountReference = body.AccountReference;
  if (typeof accountReference !== "string" || accountReference.length === 0)
    return invalid("AccountReference");
  const transactionDesc = body.TransactionDesc;
  if (typeof transactionDesc !== "string" || transactionDesc.length === 0) return invalid("Remarks");

  const merchant = authorise(shortcode, body.Password, timestamp, ctx);
  if (!merchant.ok) return merchant;
  return {
    ok: true,
    value: {
      merchant: merchant.value,
      timestamp,
      transactionType,
      amount,
      partyA,
      partyB,
      phoneNumber,
      callbackUrl: body.CallBackURL,
      accountReference,
      transactionDesc,
    },
  };
}

export function validateStkQuery(body: unknown, ctx: ValidationContext): Validation<ValidStkQuery> {
  if (!isObject(body)) return invalid("BusinessShortCode");
  const shortcode = digitsOf(body.BusinessShortCode, SHORTCODE);
  if (shortcode === null) return invalid("BusinessShortCode");
  const timestamp = parseTimestamp(body.Timestamp, ctx.strictTimestamp, ctx.now);
  if (timestamp === null) return invalid("Timestamp");
  const checkoutRequestId = body.CheckoutRequestID;
  if (typeof checkoutRequestId !== "string" || checkoutRequestId.length === 0)
    return invalid("CheckoutRequestID");
  const merchant = authorise(shortcode, body.Password, timestamp, ctx);
  if (!merchant.ok) return merchant;
  return { ok: true, value: { merchant: merchant.value, checkoutRequestId } };
}

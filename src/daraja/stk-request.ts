/**
 * Builds STK Push and Query request bodies, refusing locally what Daraja would refuse (or, worse,
 * accept and then fail in the callback). Reference §4.1: whole KES 1–250,000; AccountReference ≤ 12
 * and TransactionDesc ≤ 13 characters, with special characters removed (reports of `@ # &` causing
 * silent failures); TransactionDesc always sent ("Invalid Remarks" otherwise).
 */
import type { StkPushInput } from "./contract.ts";
import { invalidInput } from "./errors.ts";
import { stkPassword } from "./password.ts";
import { type Msisdn, normalizeMsisdn } from "./phone.ts";
import type { StkPushRequestBody, StkQueryRequestBody, TransactionType } from "./wire.ts";

export const MIN_AMOUNT_KES = 1;
export const MAX_AMOUNT_KES = 250_000;
export const ACCOUNT_REFERENCE_MAX = 12;
export const TRANSACTION_DESC_MAX = 13;
/** Used when the description has nothing printable left: Daraja refuses an empty one. */
export const DEFAULT_TRANSACTION_DESC = "Payment";

/**
 * Keeps letters, digits, spaces and `. , - _ : /`; folds accents (`é` → `e`); collapses spaces;
 * cuts to `maxLength`. May return "".
 */
export function sanitizePromptText(value: string, maxLength: number): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9 .,\-_:/]/g, (ch) => (/\s/.test(ch) ? " " : ""))
    .replace(/ {2,}/g, " ")
    .trim()
    .slice(0, maxLength)
    .trim();
}

export interface ValidStkPush {
  msisdn: Msisdn;
  amount: number;
  accountReference: string;
  transactionDesc: string;
  callbackUrl: string;
}

/** Checks and cleans a push before anything is sent. Throws a local `validation` DarajaError. */
export function validateStkPushInput(input: StkPushInput): ValidStkPush {
  const amount: unknown = input.amount;
  if (typeof amount !== "number" || !Number.isInteger(amount))
    throw invalidInput("stk_push", "Amount", "must be a whole number of shillings");
  if (amount < MIN_AMOUNT_KES || amount > MAX_AMOUNT_KES)
    throw invalidInput("stk_push", "Amount", `must be from ${MIN_AMOUNT_KES} to ${MAX_AMOUNT_KES} KES`);

  const msisdn = normalizeMsisdn(input.phoneNumber);
  if (msisdn === null) throw invalidInput("stk_push", "PhoneNumber", "is not a Kenyan mobile number");

  const accountReference = sanitizePromptText(String(input.accountReference ?? ""), ACCOUNT_REFERENCE_MAX);
  if (accountReference === "")
    throw invalidInput("stk_push", "AccountReference", "must contain letters or digits");
  const transactionDesc =
    sanitizePromptText(String(input.transactionDesc ?? ""), TRANSACTION_DESC_MAX) || DEFAULT_TRANSACTION_DESC;

  return {
    msisdn,
    amount,
    accountReference,
    transactionDesc,
    callbackUrl: validCallbackUrl(input.callbackUrl),
  };
}

/** Daraja refuses placeholders, spaces and non-URLs synchronously (400.002.02 Invalid CallBackURL). */
function validCallbackUrl(value: unknown): string {
  if (typeof value !== "string" || value === "" || /[\s<>"]/.test(value))
    throw invalidInput("stk_push", "CallBackURL", "must be an http(s) URL without spaces");
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    throw invalidInput("stk_push", "CallBackURL", "must be an http(s) URL without spaces");
  }
  return value;
}

/** CheckoutRequestIDs are opaque (`ws_CO_…`), but never empty and never contain odd characters. */
export function validateCheckoutRequestId(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_.:-]{1,100}$/.test(value))
    throw invalidInput("stk_query", "CheckoutRequestID", "must be the ID Daraja returned for the push");
  return value;
}

export interface Merchant {
  shortcode: string;
  passkey: string;
  transactionType: TransactionType;
  partyB: string;
}

/** The push body; `timestamp` is computed once per request and used for Password and Timestamp. */
export function buildStkPushBody(
  merchant: Merchant,
  push: ValidStkPush,
  timestamp: string,
): StkPushRequestBody {
  return {
    BusinessShortCode: merchant.shortcode,
    Password: stkPassword(merchant.shortcode, merchant.passkey, timestamp),
    Timestamp: timestamp,
    TransactionType: merchant.transactionType,
    Amount: push.amount,
    PartyA: push.msisdn,
    PartyB: merchant.partyB,
    PhoneNumber: push.msisdn,
    CallBackURL: push.callbackUrl,
    AccountReference: push.accountReference,
    TransactionDesc: push.transactionDesc,
  };
}

export function buildStkQueryBody(
  merchant: Merchant,
  checkoutRequestId: string,
  timestamp: string,
): StkQueryRequestBody {
  return {
    BusinessShortCode: merchant.shortcode,
    Password: stkPassword(merchant.shortcode, merchant.passkey, timestamp),
    Timestamp: timestamp,
    CheckoutRequestID: checkoutRequestId,
  };
}

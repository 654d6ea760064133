/**
 * Identifiers in Daraja's current (2024+) formats. All are opaque to clients; the formats matter
 * only so that code and logs written against the emulator look like production.
 */
import { randomBytes } from "node:crypto";
import { toDarajaTimestamp } from "../daraja/timestamp.ts";
import type { Random } from "./random.ts";

const HEX = "0123456789abcdef";
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const RECEIPT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * `requestId` and `MerchantRequestID` share one shape: the last four groups of a version-4 UUID
 * naming the gateway node, then that node's decimal request counter, e.g.
 * `2ba8-4165-beca-292db11f9ef8358609` (prefix `2ba8-4165-beca-292db11f9ef8`, counter `358609`).
 */
export interface RequestIdFactory {
  next(): string;
}

export function createRequestIdFactory(random: Random): RequestIdFactory {
  const prefix = [
    random.chars(HEX, 4),
    `4${random.chars(HEX, 3)}`,
    `${random.chars("89ab", 1)}${random.chars(HEX, 3)}`,
    random.chars(HEX, 12),
  ].join("-");
  let counter = 1_000 + random.int(900_000);
  return { next: () => `${prefix}${counter++}` };
}

/** Matches the new requestId / MerchantRequestID shape. */
export const REQUEST_ID_PATTERN = /^[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\d{4,7}$/;

/**
 * `ws_CO_` + DDMMYYYYHHmmss in East Africa Time + milliseconds (3 digits) + the 9 national digits
 * of the phone that receives the prompt, e.g. `ws_CO_16122022001707470708374149`.
 */
export function checkoutRequestId(instant: Date, msisdn: string): string {
  const ts = toDarajaTimestamp(instant); // YYYYMMDDHHmmss
  const ddmmyyyy = ts.slice(6, 8) + ts.slice(4, 6) + ts.slice(0, 4);
  const ms = String(instant.getUTCMilliseconds()).padStart(3, "0");
  return `ws_CO_${ddmmyyyy}${ts.slice(8)}${ms}${msisdn.slice(-9)}`;
}

export const CHECKOUT_REQUEST_ID_PATTERN = /^ws_CO_\d{14}\d{3}\d{9}$/;

/**
 * An M-PESA receipt: 10 upper-case alphanumerics whose first three encode the EAT date
 * (year letter L = 2017 … U = 2026, month A–L, day 1–9 then A = 10 … V = 31), then 7 random
 * characters; e.g. `UA77F34PY7` on 2026-01-07.
 */
export function mpesaReceiptNumber(instant: Date, random: Random): string {
  return `${receiptDatePrefix(instant)}${random.chars(RECEIPT_ALPHABET, 7)}`;
}

/** The three date characters receipts start with (`UA7` on 2026-01-07). */
function receiptDatePrefix(instant: Date): string {
  const ts = toDarajaTimestamp(instant);
  const year = Number(ts.slice(0, 4));
  const month = Number(ts.slice(4, 6));
  const day = Number(ts.slice(6, 8));
  const yearLetter = String.fromCharCode(65 + ((((year - 2006) % 26) + 26) % 26));
  const monthLetter = String.fromCharCode(64 + month);
  const dayChar = day < 10 ? String(day) : String.fromCharCode(65 + day - 10);
  return `${yearLetter}${monthLetter}${dayChar}`;
}

/**
 * The TransactionID of a result in which no money moved: the date prefix padded with zeros
 * (`UAV0000000`), as B2C, reversal and query results carry.
 */
export function placeholderTransactionId(instant: Date): string {
  return `${receiptDatePrefix(instant)}0000000`;
}

/**
 * `AG_` + the EAT date + `_` + 20 lower-case hex characters, e.g. `AG_20240706_20106e9209f64bebd05b`:
 * the ConversationID of a B2C, reversal or query.
 */
export function conversationId(instant: Date, random: Random): string {
  return `AG_${toDarajaTimestamp(instant).slice(0, 8)}_${random.chars(HEX, 20)}`;
}

export const CONVERSATION_ID_PATTERN = /^AG_\d{8}_[0-9a-f]{20}$/;

export const RECEIPT_PATTERN = /^[A-Z][A-L][1-9A-V][A-Z0-9]{7}$/;

/** A 28-character bearer token like Daraja's. Not seeded: tokens need not be reproducible. */
export function accessToken(): string {
  const bytes = randomBytes(28);
  let out = "";
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/**
 * Validates and types the body Daraja POSTs to CallBackURL (`Body.stkCallback`, reference §6).
 * Tolerant of every variant seen in real traffic — Amount `1.00` or `1`, `Balance` without a Value,
 * the v3 docs' four items without Balance, string ResultCodes such as `SFC_IC0003`, prefixed
 * ResultDescs, CallbackMetadata only on success — and precise about anything else: the error names
 * the field, e.g. `Body.stkCallback.CheckoutRequestID missing`.
 *
 * A ResultCode 0 without CallbackMetadata still parses (metadata null): deciding whether such a
 * success can be trusted is the payment service's job, not the parser's.
 *
 * Fields that are stored under a unique index are held to their real shape, so a hostile value
 * can never reach the database: MerchantRequestID and CheckoutRequestID are 1–100 visible ASCII
 * characters (Daraja's are about 30), MpesaReceiptNumber is 10 upper-case letters or digits
 * (reference §6.1, every receipt captured 2017–2026).
 */
import type { StkCallback, StkCallbackMetadata } from "./contract.ts";
import { normalizeResultCode } from "./result-codes.ts";

export class StkCallbackParseError extends Error {
  /** Dotted path of the offending field, e.g. `Body.stkCallback.ResultCode`. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path} ${problem}`);
    this.name = "StkCallbackParseError";
    this.path = path;
  }
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function object(parent: Json, key: string, path: string): Json {
  const where = path === "" ? key : `${path}.${key}`;
  const value = parent[key];
  if (value === undefined || value === null) throw new StkCallbackParseError(where, "missing");
  if (!isRecord(value)) throw new StkCallbackParseError(where, "must be an object");
  return value;
}

function text(parent: Json, key: string, path: string, allowEmpty: boolean): string {
  const value = parent[key];
  if (value === undefined || value === null) throw new StkCallbackParseError(`${path}.${key}`, "missing");
  if (typeof value !== "string") throw new StkCallbackParseError(`${path}.${key}`, "must be a string");
  if (!allowEmpty && value.trim() === "") throw new StkCallbackParseError(`${path}.${key}`, "is empty");
  return value;
}

const REQUEST_ID = /^[\x21-\x7e]{1,100}$/;
const RECEIPT = /^[A-Z0-9]{10}$/;

function requestId(parent: Json, key: string, path: string): string {
  const value = text(parent, key, path, false);
  if (!REQUEST_ID.test(value))
    throw new StkCallbackParseError(`${path}.${key}`, "must be 1 to 100 visible ASCII characters");
  return value;
}

function resultCode(parent: Json, path: string): string {
  const value = parent.ResultCode;
  const where = `${path}.ResultCode`;
  if (value === undefined || value === null) throw new StkCallbackParseError(where, "missing");
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value))
      throw new StkCallbackParseError(where, "must be a whole number or a code");
    return normalizeResultCode(value);
  }
  if (typeof value === "string" && /^[A-Za-z0-9_.-]{1,32}$/.test(value.trim()))
    return normalizeResultCode(value);
  throw new StkCallbackParseError(where, "must be a number or a code string");
}

/** Parses an STK callback body (already-parsed JSON, or its text). Throws StkCallbackParseError. */
export function parseStkCallback(body: unknown): StkCallback {
  let root = body;
  if (typeof root === "string") {
    try {
      root = JSON.parse(root);
    } catch {
      throw new StkCallbackParseError("body", "is not valid JSON");
    }
  }
  if (!isRecord(root)) throw new StkCallbackParseError("body", "must be a JSON object");
  const path = "Body.stkCallback";
  const cb = object(object(root, "Body", ""), "stkCallback", "Body");

  const parsed: StkCallback = {
    merchantRequestId: requestId(cb, "MerchantRequestID", path),
    checkoutRequestId: requestId(cb, "CheckoutRequestID", path),
    resultCode: resultCode(cb, path),
    resultDesc: text(cb, "ResultDesc", path, true),
    metadata: null,
  };
  if (cb.CallbackMetadata !== undefined && cb.CallbackMetadata !== null)
    parsed.metadata = parseMetadata(object(cb, "CallbackMetadata", path), `${path}.CallbackMetadata`);
  return parsed;
}

function parseMetadata(meta: Json, path: string): StkCallbackMetadata {
  const items = meta.Item;
  if (items === undefined) throw new StkCallbackParseError(`${path}.Item`, "missing");
  if (!Array.isArray(items)) throw new StkCallbackParseError(`${path}.Item`, "must be an array");

  const byName = new Map<string, { value: unknown; where: string }>();
  items.forEach((item: unknown, index) => {
    const where = `${path}.Item[${index}]`;
    if (!isRecord(item)) throw new StkCallbackParseError(where, "must be an object");
    if (typeof item.Name !== "string") throw new StkCallbackParseError(`${where}.Name`, "must be a string");
    // First occurrence wins; a later duplicate cannot overwrite what was validated.
    if (!byName.has(item.Name)) byName.set(item.Name, { value: item.Value, where: `${where}.Value` });
  });

  const amount = byName.get("Amount");
  const receipt = byName.get("MpesaReceiptNumber");
  return {
    amount:
      amount === undefined || amount.value === undefined ? null : parseAmount(amount.value, amount.where),
    mpesaReceiptNumber:
      receipt === undefined || receipt.value === undefined
        ? null
        : parseReceipt(receipt.value, receipt.where),
    transactionDate: digitsOrNull(byName.get("TransactionDate")),
    phoneNumber: phoneOrNull(byName.get("PhoneNumber")),
    balance: balanceOrNull(byName.get("Balance")),
  };
}

function parseAmount(value: unknown, where: string): number {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) throw new StkCallbackParseError(where, "must be a finite number");
  return n;
}

function parseReceipt(value: unknown, where: string): string {
  const receipt = typeof value === "string" ? value.trim() : null;
  if (receipt === null || !RECEIPT.test(receipt))
    throw new StkCallbackParseError(where, "must be 10 upper-case letters or digits");
  return receipt;
}

/** TransactionDate and PhoneNumber arrive as JSON numbers; keep their digits, never do arithmetic. */
function digitsOrNull(entry: { value: unknown; where: string } | undefined): string | null {
  if (entry === undefined || entry.value === undefined || entry.value === null) return null;
  const { value, where } = entry;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new StkCallbackParseError(where, "must be digits");
    return String(value);
  }
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return value.trim();
  throw new StkCallbackParseError(where, "must be digits");
}

/** PhoneNumber: digits, or masked as some callbacks send it (`2547****4149`, `2547 ***** 126`). */
function phoneOrNull(entry: { value: unknown; where: string } | undefined): string | null {
  if (entry !== undefined && typeof entry.value === "string" && /^[\d\s]*\*[\d\s*]*$/.test(entry.value)) {
    const masked = entry.value.replace(/\s/g, "");
    if (/^\d*\*+\d*$/.test(masked) && masked.length <= 16) return masked;
    throw new StkCallbackParseError(entry.where, "must be digits, or digits masked with *");
  }
  return digitsOrNull(entry);
}

function balanceOrNull(entry: { value: unknown; where: string } | undefined): string | null {
  if (entry === undefined || entry.value === undefined || entry.value === null) return null;
  if (typeof entry.value === "number" || typeof entry.value === "string") return String(entry.value);
  throw new StkCallbackParseError(entry.where, "must be a number or a string");
}

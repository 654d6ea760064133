/**
 * The `{"Result":{…}}` Daraja POSTs to ResultURL and QueueTimeOutURL after a B2C, Reversal,
 * Transaction Status or Account Balance request, read tolerantly of everything real traffic shows
 * (reference §9–§14): any key order; ResultCode a number or a string (`"R000002"`); ResultType and
 * values as numbers or strings; ResultParameter an array OR a single object; items without Value;
 * keys with spaces in old docs (`"Conversation ID"`); escaped slashes (plain JSON). Anything else is
 * refused with a `ResultParseError` naming the field — never another exception.
 */
import { isPlaceholderReceipt, isReceiptShaped } from "./receipt.ts";
import { normalizeResultCode } from "./result-codes.ts";

export class ResultParseError extends Error {
  /** Dotted path of the offending field, e.g. `Result.ResultCode`. */
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string) {
    super(`${path} ${problem}`);
    this.name = "ResultParseError";
    this.path = path;
    this.problem = problem;
  }
}

/** What every result parser returns: the typed result, or why the body was refused. */
export type ParsedResult<T> = { ok: true; value: T } | { ok: false; error: ResultParseError };

/** The fields every result carries. */
export interface ResultHeader {
  /** "0" normally; kept as received. null when absent. */
  resultType: string | null;
  /** Always a string: `"0"`, `"2001"`, `"R000001"`. */
  resultCode: string;
  resultDesc: string;
  originatorConversationId: string;
  conversationId: string;
  /** The receipt, or null when absent or a `XXX0000000` placeholder (no money moved). */
  transactionId: string | null;
  /** TransactionID exactly as sent (placeholders included), for the record. */
  rawTransactionId: string | null;
  /** ReferenceData items by key (`QueueTimeoutURL`, `Occasion`); a missing Value is null. */
  referenceData: Record<string, string | null>;
}

export type ParameterValue = string | number | null;

/** ResultParameter items by key, spaces removed; a key may repeat (`DebitPartyName`). */
export class ResultParameters {
  readonly #items = new Map<string, ParameterValue[]>();
  add(key: string, value: ParameterValue): void {
    const list = this.#items.get(key);
    if (list) list.push(value);
    else this.#items.set(key, [value]);
  }
  has(key: string): boolean {
    return this.#items.has(key);
  }
  /** The first value for `key`; undefined when the key is absent, null when it has no Value. */
  first(key: string): ParameterValue | undefined {
    return this.#items.get(key)?.[0];
  }
  all(key: string): ParameterValue[] {
    return this.#items.get(key) ?? [];
  }
  get size(): number {
    return this.#items.size;
  }
}

export interface ReadResult {
  header: ResultHeader;
  params: ResultParameters;
}

/** A result is a few hundred bytes; anything this large is not one. */
export const MAX_RESULT_BYTES = 64 * 1024;
const MAX_PARAMETERS = 100;
const ID = /^[A-Za-z0-9_.:-]{1,100}$/;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** `"Conversation ID"` → `ConversationID`. */
const canonicalKey = (key: string) => key.replace(/\s+/g, "");

/** Keys without spaces; a key given twice (spelt both ways) with different values is refused. */
function canonicalObject(value: Json, path: string): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const canonical = canonicalKey(key);
    if (Object.hasOwn(out, canonical) && JSON.stringify(out[canonical]) !== JSON.stringify(v))
      throw new ResultParseError(`${path}.${canonical}`, "is given twice with different values");
    out[canonical] = v;
  }
  return out;
}

function rootOf(body: unknown): Json {
  let root = body;
  if (Buffer.isBuffer(root)) root = root.toString("utf8");
  if (typeof root === "string") {
    if (Buffer.byteLength(root, "utf8") > MAX_RESULT_BYTES)
      throw new ResultParseError("body", "is too large");
    try {
      root = JSON.parse(root);
    } catch {
      throw new ResultParseError("body", "is not valid JSON");
    }
  }
  if (!isRecord(root)) throw new ResultParseError("body", "must be a JSON object");
  const result = root.Result;
  if (result === undefined || result === null) throw new ResultParseError("Result", "missing");
  if (!isRecord(result)) throw new ResultParseError("Result", "must be an object");
  return canonicalObject(result, "Result");
}

function text(result: Json, key: string, allowEmpty: boolean): string {
  const value = result[key];
  const where = `Result.${key}`;
  if (value === undefined || value === null) throw new ResultParseError(where, "missing");
  if (typeof value !== "string") throw new ResultParseError(where, "must be a string");
  if (!allowEmpty && value.trim() === "") throw new ResultParseError(where, "is empty");
  if (value.length > 1000) throw new ResultParseError(where, "is too long");
  return value;
}

function identifier(result: Json, key: string): string {
  const value = text(result, key, false).trim();
  if (!ID.test(value)) throw new ResultParseError(`Result.${key}`, "is not an identifier");
  return value;
}

/** A code as received, number or string, normalised to a string. */
export function codeOf(value: unknown, where: string): string {
  if (typeof value === "number" && Number.isSafeInteger(value)) return normalizeResultCode(value);
  if (typeof value === "string" && /^[A-Za-z0-9_.-]{1,32}$/.test(value.trim()))
    return normalizeResultCode(value);
  if (value === undefined || value === null) throw new ResultParseError(where, "missing");
  throw new ResultParseError(where, "must be a number or a code string");
}

function transactionIdOf(result: Json): string | null {
  const value = result.TransactionID;
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || !isReceiptShaped(value.trim()))
    throw new ResultParseError("Result.TransactionID", "is not an M-PESA receipt");
  return value.trim();
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function referenceDataOf(result: Json): Record<string, string | null> {
  const data = result.ReferenceData;
  const out: Record<string, string | null> = {};
  if (data === undefined || data === null) return out;
  if (!isRecord(data)) throw new ResultParseError("Result.ReferenceData", "must be an object");
  if (data.ReferenceItem === undefined || data.ReferenceItem === null) return out;
  for (const [index, raw] of asList(data.ReferenceItem).entries()) {
    const where = `Result.ReferenceData.ReferenceItem[${index}]`;
    if (!isRecord(raw) || typeof raw.Key !== "string") throw new ResultParseError(where, "must have a Key");
    const value = raw.Value;
    if (value !== undefined && value !== null && typeof value !== "string" && typeof value !== "number")
      throw new ResultParseError(`${where}.Value`, "must be a string");
    out[canonicalKey(raw.Key)] = value === undefined || value === null ? null : String(value);
  }
  return out;
}

function parametersOf(result: Json): ResultParameters {
  const params = new ResultParameters();
  const container = result.ResultParameters;
  if (container === undefined || container === null || container === "") return params;
  if (!isRecord(container)) throw new ResultParseError("Result.ResultParameters", "must be an object");
  const items = container.ResultParameter;
  if (items === undefined || items === null) return params;
  const list = asList(items);
  if (list.length > MAX_PARAMETERS)
    throw new ResultParseError("Result.ResultParameters", "has too many items");
  for (const [index, raw] of list.entries()) {
    const where = `Result.ResultParameters.ResultParameter[${index}]`;
    if (!isRecord(raw)) throw new ResultParseError(where, "must be an object");
    if (typeof raw.Key !== "string" || raw.Key.trim() === "")
      throw new ResultParseError(`${where}.Key`, "must be a string");
    const value = raw.Value;
    if (value !== undefined && value !== null && typeof value !== "string" && typeof value !== "number")
      throw new ResultParseError(`${where}.Value`, "must be a string or a number");
    if (typeof value === "number" && !Number.isFinite(value))
      throw new ResultParseError(`${where}.Value`, "must be a finite number");
    if (typeof value === "string" && value.length > 1000)
      throw new ResultParseError(`${where}.Value`, "is too long");
    params.add(canonicalKey(raw.Key), value ?? null);
  }
  return params;
}

/** Reads the envelope. Throws ResultParseError only; the per-API parsers turn it into a value. */
export function readResultEnvelope(body: unknown): ReadResult {
  const result = rootOf(body);
  const rawTransactionId = transactionIdOf(result);
  const header: ResultHeader = {
    resultType:
      result.ResultType === undefined || result.ResultType === null
        ? null
        : codeOf(result.ResultType, "Result.ResultType"),
    resultCode: codeOf(result.ResultCode, "Result.ResultCode"),
    resultDesc: text(result, "ResultDesc", true),
    originatorConversationId: identifier(result, "OriginatorConversationID"),
    conversationId: identifier(result, "ConversationID"),
    transactionId:
      rawTransactionId !== null && !isPlaceholderReceipt(rawTransactionId) ? rawTransactionId : null,
    rawTransactionId,
    referenceData: referenceDataOf(result),
  };
  return { header, params: parametersOf(result) };
}

/** The parameter `key` read by `parse`, or null when absent or without a Value. */
export function optionalParameter<T>(
  read: ReadResult,
  key: string,
  parse: (value: ParameterValue, where: string) => T,
): T | null {
  const value = read.params.first(key);
  if (value === undefined || value === null) return null;
  return parse(value, `Result.ResultParameters.${key}`);
}

/** Runs a parser body, turning any failure into a typed refusal (a bug included: never an exception). */
export function parseSafely<T>(parse: () => T): ParsedResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof ResultParseError) return { ok: false, error };
    return { ok: false, error: new ResultParseError("body", "could not be read") };
  }
}

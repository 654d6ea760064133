/**
 * What B2C, Reversal, Transaction Status and Account Balance requests share: the party that sends
 * them (shortcode, initiator, SecurityCredential) and the checks on their common fields, made
 * before anything is sent. Failures are local `validation` DarajaErrors naming Daraja's field.
 */

import type { Secret } from "../secret.ts";
import { type DarajaOperation, invalidInput } from "./errors.ts";
import { isReceipt } from "./receipt.ts";

/** The organisation and API operator a request is sent as. */
export interface InitiatorParty {
  /** PartyA of a B2C; ReceiverParty of a reversal; PartyA of a status or balance query. */
  shortcode: string;
  /** The API operator's user name (`InitiatorName` / `Initiator`). */
  initiatorName: string;
  /** The encrypted initiator password (see security-credential.ts). */
  securityCredential: Secret;
}

/** Where Daraja POSTs the result and the queue-timeout notice, exactly as given (query string intact). */
export interface ResultUrls {
  resultUrl: string;
  queueTimeoutUrl: string;
}

export const REMARKS_MIN = 2;
export const REMARKS_MAX = 100;
export const OCCASION_MAX = 100;
const SHORTCODE = /^\d{5,7}$/;
const INITIATOR_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Our own ids (payout ids) go out as OriginatorConversationID: opaque, bounded, URL-safe. */
const CONVERSATION_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Checks the sending party once per request; nothing about it ever appears in a message. */
export function validateParty(operation: DarajaOperation, party: InitiatorParty): void {
  const shortcodeField = operation === "reversal" ? "ReceiverParty" : "PartyA";
  if (typeof party.shortcode !== "string" || !SHORTCODE.test(party.shortcode))
    throw invalidInput(operation, shortcodeField, "must be a 5–7 digit shortcode");
  if (typeof party.initiatorName !== "string" || !INITIATOR_NAME.test(party.initiatorName))
    throw invalidInput(
      operation,
      operation === "b2c_payment" ? "InitiatorName" : "Initiator",
      "must be the API operator's user name",
    );
  const credential = party.securityCredential?.reveal();
  if (typeof credential !== "string" || credential.length > 2048 || !BASE64.test(credential))
    throw invalidInput(operation, "SecurityCredential", "must be the base64 encrypted initiator password");
}

/** Letters, digits, spaces and `. , - _ : /` (as for STK texts), cut to `max`. */
function cleanText(value: unknown, max: number): string {
  return String(value ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9 .,\-_:/]/g, (ch) => (/\s/.test(ch) ? " " : ""))
    .replace(/ {2,}/g, " ")
    .trim()
    .slice(0, max)
    .trim();
}

/** Remarks are required by Daraja, 2–100 characters. */
export function validRemarks(operation: DarajaOperation, value: unknown): string {
  const remarks = cleanText(value, REMARKS_MAX);
  if (remarks.length < REMARKS_MIN)
    throw invalidInput(operation, "Remarks", `must have ${REMARKS_MIN}–${REMARKS_MAX} letters or digits`);
  return remarks;
}

/** Optional; `undefined` when nothing printable is left. */
export function validOccasion(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return cleanText(value, OCCASION_MAX) || undefined;
}

function validUrl(operation: DarajaOperation, field: string, value: unknown): string {
  const problem = "must be an http(s) URL without spaces";
  if (typeof value !== "string" || value === "" || value.length > 2048 || /[\s<>"]/.test(value))
    throw invalidInput(operation, field, problem);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(operation, field, problem);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalidInput(operation, field, problem);
  return value;
}

export function validResultUrls(operation: DarajaOperation, urls: ResultUrls): ResultUrls {
  return {
    resultUrl: validUrl(operation, "ResultURL", urls.resultUrl),
    queueTimeoutUrl: validUrl(operation, "QueueTimeOutURL", urls.queueTimeoutUrl),
  };
}

/** Whole shillings within [min, max]. */
export function validAmount(operation: DarajaOperation, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw invalidInput(operation, "Amount", "must be a whole number of shillings");
  if (value < min || value > max)
    throw invalidInput(operation, "Amount", `must be from ${min} to ${max} KES`);
  return value;
}

/** An M-PESA receipt (`SG632NMUAB`), never a `XXX0000000` placeholder. */
export function validReceipt(operation: DarajaOperation, value: unknown): string {
  if (typeof value !== "string" || !isReceipt(value))
    throw invalidInput(operation, "TransactionID", "must be an M-PESA receipt such as SG632NMUAB");
  return value;
}

export function validConversationId(operation: DarajaOperation, field: string, value: unknown): string {
  if (typeof value !== "string" || !CONVERSATION_ID.test(value))
    throw invalidInput(operation, field, "must be 1–64 letters, digits or _ . : -");
  return value;
}

/**
 * B2C, Reversal, Transaction Status and Account Balance request validation: each field in the
 * documented order, the first malformed one answered `400.002.02 Bad Request - Invalid <Field>`.
 * Tolerant as Daraja is: numbers or numeric strings for amounts, parties and identifier types, any
 * key order, extra keys ignored. What needs M-Pesa — the initiator and its credential, the receipt
 * to reverse — is decided later, in the result, as on Daraja.
 */
import { B2C_COMMAND_IDS } from "../daraja/b2c-request.ts";
import type { B2cCommandId } from "../daraja/initiator-wire.ts";
import type { Msisdn } from "../daraja/phone.ts";
import { type InvalidField, rejections } from "./errors.ts";
import { digitsOf, isValidCallbackUrl, parseAmount, parseMsisdn, type Validation } from "./validation.ts";

export type B2cVersion = "v1" | "v3";

interface Initiated {
  initiatorName: string;
  securityCredential: string;
  resultUrl: string;
  queueTimeoutUrl: string;
  remarks: string;
}

export interface ValidB2c extends Initiated {
  version: B2cVersion;
  /** v3: the caller's; v1: null (the emulator makes one up, as Daraja does). */
  originatorConversationId: string | null;
  commandId: B2cCommandId;
  amount: number;
  partyA: string;
  partyB: Msisdn;
  occasion: string | null;
}

export interface ValidReversal extends Initiated {
  transactionId: string;
  amount: number;
  receiverParty: string;
  occasion: string | null;
}

export interface ValidTransactionStatus extends Initiated {
  transactionId: string | null;
  originalConversationId: string | null;
  partyA: string;
  occasion: string | null;
}

export interface ValidAccountBalance extends Initiated {
  partyA: string;
}

type Body = Record<string, unknown>;
const SHORTCODE = /^\d{5,7}$/;
const RECEIPT = /^[A-Z0-9]{10}$/;
const ID = /^[A-Za-z0-9_.:-]{1,100}$/;

class Invalid {
  readonly field: InvalidField;
  constructor(field: InvalidField) {
    this.field = field;
  }
}

/** Runs the field checks; the first failing one names the field. */
function validate<T>(body: unknown, firstField: InvalidField, read: (b: Body) => T): Validation<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, rejection: rejections.invalidField(firstField) };
  try {
    return { ok: true, value: read(body as Body) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, rejection: rejections.invalidField(error.field) };
    throw error;
  }
}

function text(value: unknown, field: InvalidField, max = 100): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max) throw new Invalid(field);
  return value;
}

function optionalText(value: unknown, field: InvalidField): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || value.length > 100) throw new Invalid(field);
  return value;
}

function check<T>(value: T | null, field: InvalidField): T {
  if (value === null) throw new Invalid(field);
  return value;
}

const url = (value: unknown, field: InvalidField): string => {
  if (!isValidCallbackUrl(value)) throw new Invalid(field);
  return value;
};

/** 2–100 characters, as documented. */
const remarks = (value: unknown): string => {
  const r = text(value, "Remarks");
  if (r.trim().length < 2) throw new Invalid("Remarks");
  return r;
};

const credential = (value: unknown): string => text(value, "SecurityCredential", 4096);

function identifierType(value: unknown, allowed: readonly string[]): void {
  const digits = digitsOf(value, /^\d{1,2}$/);
  if (digits === null || !allowed.includes(digits)) throw new Invalid("IdentifierType");
}

export function validateB2c(body: unknown, version: B2cVersion): Validation<ValidB2c> {
  return validate(body, version === "v3" ? "OriginatorConversationID" : "InitiatorName", (b) => {
    const originatorConversationId =
      version === "v3"
        ? check(
            typeof b.OriginatorConversationID === "string" && ID.test(b.OriginatorConversationID)
              ? b.OriginatorConversationID
              : null,
            "OriginatorConversationID",
          )
        : null;
    const initiatorName = text(b.InitiatorName, "InitiatorName");
    const securityCredential = credential(b.SecurityCredential);
    const commandId = B2C_COMMAND_IDS.find((c) => c === b.CommandID);
    if (commandId === undefined) throw new Invalid("CommandID");
    return {
      version,
      originatorConversationId,
      initiatorName,
      securityCredential,
      commandId,
      amount: check(parseAmount(b.Amount), "Amount"),
      partyA: check(digitsOf(b.PartyA, SHORTCODE), "PartyA"),
      partyB: check(parseMsisdn(b.PartyB), "PartyB"),
      remarks: remarks(b.Remarks),
      queueTimeoutUrl: url(b.QueueTimeOutURL, "QueueTimeOutURL"),
      resultUrl: url(b.ResultURL, "ResultURL"),
      // The v3 docs spell it Occassion; SDKs send Occasion.
      occasion: optionalText(b.Occassion ?? b.Occasion, "Occasion"),
    };
  });
}

export function validateReversal(body: unknown): Validation<ValidReversal> {
  return validate(body, "Initiator", (b) => {
    const initiatorName = text(b.Initiator, "Initiator");
    const securityCredential = credential(b.SecurityCredential);
    if (b.CommandID !== "TransactionReversal") throw new Invalid("CommandID");
    const transactionId = check(
      typeof b.TransactionID === "string" && RECEIPT.test(b.TransactionID) ? b.TransactionID : null,
      "TransactionID",
    );
    const amount = check(parseAmount(b.Amount), "Amount");
    const receiverParty = check(digitsOf(b.ReceiverParty, SHORTCODE), "ReceiverParty");
    // Safaricom's own spelling; the correct one is "missing" to Daraja.
    const type = digitsOf(b.RecieverIdentifierType, /^\d{1,2}$/);
    if (type !== "11" && type !== "4") throw new Invalid("RecieverIdentifierType");
    return {
      initiatorName,
      securityCredential,
      transactionId,
      amount,
      receiverParty,
      resultUrl: url(b.ResultURL, "ResultURL"),
      queueTimeoutUrl: url(b.QueueTimeOutURL, "QueueTimeOutURL"),
      remarks: remarks(b.Remarks),
      occasion: optionalText(b.Occasion, "Occasion"),
    };
  });
}

export function validateTransactionStatus(body: unknown): Validation<ValidTransactionStatus> {
  return validate(body, "Initiator", (b) => {
    const initiatorName = text(b.Initiator, "Initiator");
    const securityCredential = credential(b.SecurityCredential);
    if (b.CommandID !== "TransactionStatusQuery") throw new Invalid("CommandID");
    const receipt = b.TransactionID === undefined || b.TransactionID === "" ? null : b.TransactionID;
    if (receipt !== null && (typeof receipt !== "string" || !RECEIPT.test(receipt)))
      throw new Invalid("TransactionID");
    // OriginalConversationID per the docs; one SDK sends OriginatorConversationID.
    const original = b.OriginalConversationID ?? b.OriginatorConversationID;
    const originalConversationId = original === undefined || original === "" ? null : original;
    if (
      originalConversationId !== null &&
      (typeof originalConversationId !== "string" || !ID.test(originalConversationId))
    )
      throw new Invalid("TransactionID");
    if (receipt === null && originalConversationId === null) throw new Invalid("TransactionID");
    const partyA = check(digitsOf(b.PartyA, /^\d{5,12}$/), "PartyA");
    identifierType(b.IdentifierType, ["1", "2", "4"]);
    return {
      initiatorName,
      securityCredential,
      transactionId: receipt as string | null,
      originalConversationId: originalConversationId as string | null,
      partyA,
      resultUrl: url(b.ResultURL, "ResultURL"),
      queueTimeoutUrl: url(b.QueueTimeOutURL, "QueueTimeOutURL"),
      remarks: remarks(b.Remarks),
      occasion: optionalText(b.Occasion, "Occasion"),
    };
  });
}

export function validateAccountBalance(body: unknown): Validation<ValidAccountBalance> {
  return validate(body, "Initiator", (b) => {
    const initiatorName = text(b.Initiator, "Initiator");
    const securityCredential = credential(b.SecurityCredential);
    if (b.CommandID !== "AccountBalance") throw new Invalid("CommandID");
    const partyA = check(digitsOf(b.PartyA, SHORTCODE), "PartyA");
    identifierType(b.IdentifierType, ["4"]);
    return {
      initiatorName,
      securityCredential,
      partyA,
      remarks: remarks(b.Remarks),
      queueTimeoutUrl: url(b.QueueTimeOutURL, "QueueTimeOutURL"),
      resultUrl: url(b.ResultURL, "ResultURL"),
    };
  });
}

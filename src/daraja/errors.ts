/**
 * Typed Daraja failures. Every way a call can go wrong becomes one `DarajaError` with a `kind`, a
 * `retryable` flag ("safe and sensible to send again") and the raw wire facts (errorCode,
 * errorMessage, requestId, HTTP status) so callers log and store what Safaricom actually said.
 * Messages never carry credentials: tokens echoed back by Daraja are redacted, phones masked.
 */
import { maskMsisdn } from "./phone.ts";

/** Which Daraja call failed. What may be resent after a failure: the table in `operations.ts`. */
export type DarajaOperation =
  | "token"
  | "stk_push"
  | "stk_query"
  | "b2c_payment"
  | "reversal"
  | "transaction_status"
  | "account_balance";

export type DarajaErrorKind =
  /** A field is malformed: refused by us before sending (`local`), or by Daraja (400.002.02 …). */
  | "validation"
  /** OAuth refused the consumer key/secret, or a business API refused the access token. */
  | "authentication"
  /** Spike arrest (500.003.02) or quota (500.003.03). Back off and try later. */
  | "rate_limited"
  /** "Unable to lock subscriber": a prompt is already open on that phone; wait a minute. */
  | "subscriber_locked"
  /** Password does not decode to shortcode+passkey+timestamp, or the shortcode may not do STK. */
  | "wrong_credentials"
  /** BusinessShortCode unknown to Daraja. */
  | "merchant_not_found"
  /** Daraja refused the request for another reason it named (wrong URL, ResponseCode != "0" …). */
  | "rejected"
  /** Daraja or its gateway failed (5xx) for a request that is safe to repeat. */
  | "server"
  /** No connection could be made, or it broke, on a request that is safe to repeat. */
  | "network"
  /** No answer within `timeoutMs` on a request that is safe to repeat. */
  | "timeout"
  /** A 2xx/4xx answer we cannot read (HTML from a CDN, a token response without a token …). */
  | "unexpected_response"
  /**
   * An operation that may act once sent (STK Push, Reversal, B2C: `mayActOnceSent`): the request
   * may have reached Daraja and acted, but we do not know (timeout, broken connection, a 5xx that
   * does not prove a refusal). Never retried automatically: a second push could charge twice.
   * Reconcile by query instead.
   */
  | "outcome_unknown";

export interface DarajaErrorDetails {
  operation: DarajaOperation;
  retryable: boolean;
  httpStatus?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  requestId?: string | null;
  field?: string | null;
  local?: boolean;
  retryAfterMs?: number | null;
  underlying?: DarajaErrorKind | null;
  cause?: unknown;
}

export class DarajaError extends Error {
  readonly kind: DarajaErrorKind;
  readonly operation: DarajaOperation;
  /** Safe to send the same request again (later); the client retries only `retriedAutomatically` operations. */
  readonly retryable: boolean;
  readonly httpStatus: number | null;
  /** Daraja's `errorCode` (or an Apigee fault code, or a non-"0" ResponseCode), as received. */
  readonly errorCode: string | null;
  /** Daraja's `errorMessage`, with echoed tokens redacted and phones masked. */
  readonly errorMessage: string | null;
  readonly requestId: string | null;
  /** For validation: the Daraja field name (`PhoneNumber`, `Amount`, `Remarks` …) when known. */
  readonly field: string | null;
  /** True when the client refused the request itself, before any network call. */
  readonly local: boolean;
  /** A hint of how long to wait before trying again, when Daraja's rules say so. */
  readonly retryAfterMs: number | null;
  /** For `outcome_unknown`: what actually happened (timeout, network, server, unexpected_response). */
  readonly underlying: DarajaErrorKind | null;

  constructor(kind: DarajaErrorKind, message: string, details: DarajaErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "DarajaError";
    this.kind = kind;
    this.operation = details.operation;
    this.retryable = details.retryable;
    this.httpStatus = details.httpStatus ?? null;
    this.errorCode = details.errorCode ?? null;
    this.errorMessage = details.errorMessage == null ? null : sanitizeRemoteText(details.errorMessage);
    this.requestId = details.requestId ?? null;
    this.field = details.field ?? null;
    this.local = details.local ?? false;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.underlying = details.underlying ?? null;
  }

  /** A plain object for logs and stored failure reasons. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      operation: this.operation,
      message: this.message,
      retryable: this.retryable,
      httpStatus: this.httpStatus,
      errorCode: this.errorCode,
      errorMessage: this.errorMessage,
      requestId: this.requestId,
      field: this.field,
      local: this.local,
      underlying: this.underlying,
    };
  }
}

export function isDarajaError(value: unknown, kind?: DarajaErrorKind): value is DarajaError {
  return value instanceof DarajaError && (kind === undefined || value.kind === kind);
}

/** A local validation failure: nothing was sent. `field` uses Daraja's field names. */
export function invalidInput(operation: DarajaOperation, field: string, problem: string): DarajaError {
  return new DarajaError("validation", `Invalid ${field}: ${problem}`, {
    operation,
    retryable: false,
    field,
    local: true,
  });
}

/**
 * Daraja echoes the rejected token ("Invalid Access Token - BJGF…"); keep it out of logs and
 * stored reasons. Phones are masked, and long texts cut.
 */
export function sanitizeRemoteText(text: string): string {
  const redacted = text
    .replace(/(Invalid Access Token\s*-\s*)(?!Invalid API call)\S+/gi, "$1[redacted]")
    .replace(/(?<!\d)(?:\+?254|0)[17]\d{8}(?!\d)/g, (m) => maskMsisdn(m.replace(/^\+/, "")));
  return redacted.length > 300 ? `${redacted.slice(0, 300)}…` : redacted;
}

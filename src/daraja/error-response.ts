/**
 * Turns a non-success HTTP answer from Daraja into a `DarajaError`. Daraja normally answers with
 * `{requestId, errorCode, errorMessage}` (the HTTP status mirrors the code's first digits, but SDK
 * fixtures show other statuses, so the code decides), yet its Apigee gateway also sends empty bodies
 * (wrong consumer key/secret on OAuth), HTML pages and raw fault JSON. None of these is assumed away.
 */
import { DarajaError, type DarajaErrorKind, type DarajaOperation, sanitizeRemoteText } from "./errors.ts";
import { mayActOnceSent, operationLabel, retriedAutomatically, settledBy } from "./operations.ts";

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface ErrorEnvelope {
  requestId: string | null;
  errorCode: string;
  errorMessage: string | null;
}

export type ResponseBody =
  | { shape: "envelope"; envelope: ErrorEnvelope }
  | { shape: "apigee_fault"; faultCode: string | null; faultString: string | null }
  | { shape: "json"; value: unknown }
  | { shape: "empty" }
  | { shape: "not_json"; looksLikeHtml: boolean };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Classifies a body by shape, without deciding whether it is a success. */
export function readResponseBody(text: string): ResponseBody {
  const trimmed = text.trim();
  if (trimmed === "") return { shape: "empty" };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { shape: "not_json", looksLikeHtml: /^<(!doctype|html|\?xml|head|body)/i.test(trimmed) };
  }
  if (isRecord(value) && typeof value.errorCode === "string") {
    return {
      shape: "envelope",
      envelope: {
        requestId: str(value.requestId),
        errorCode: value.errorCode,
        errorMessage: str(value.errorMessage),
      },
    };
  }
  const fault = apigeeFault(value);
  if (fault) return { shape: "apigee_fault", ...fault };
  return { shape: "json", value };
}

/** Apigee faults: `{"fault":{faultstring, detail:{errorcode}}}` or the SOAP-style `Envelope.Body.Fault`. */
function apigeeFault(value: unknown): { faultCode: string | null; faultString: string | null } | null {
  if (!isRecord(value)) return null;
  const direct = value.fault;
  const soapBody = isRecord(value.Envelope) ? value.Envelope.Body : undefined;
  const soap = isRecord(soapBody) ? soapBody.Fault : undefined;
  const fault = isRecord(direct) ? direct : isRecord(soap) ? soap : null;
  if (!fault) return null;
  const detail = isRecord(fault.detail) ? fault.detail : {};
  const source = isRecord(detail.source) ? detail.source : {};
  return {
    faultCode: str(detail.errorcode) ?? str(source.errorcode) ?? str(fault.faultcode),
    faultString: str(fault.faultstring),
  };
}

/** "Bad Request - Invalid PhoneNumber" → "PhoneNumber". */
export function invalidFieldOf(message: string | null): string | null {
  if (!message) return null;
  return /Invalid\s+([A-Za-z][A-Za-z0-9_]*)\s*$/.exec(message.trim())?.[1] ?? null;
}

interface Verdict {
  kind: DarajaErrorKind;
  retryable: boolean;
  field?: string | null;
  retryAfterMs?: number;
}

const SUBSCRIBER_LOCK_WAIT_MS = 60_000;

/** The one mapping from Daraja's errorCode (and, for 500.001.1001, its message) to our kinds. */
export function verdictForEnvelope(envelope: ErrorEnvelope): Verdict {
  const code = envelope.errorCode.trim();
  const message = envelope.errorMessage ?? "";
  if (/spike arrest|system is busy/i.test(message) || code === "500.003.02")
    return { kind: "rate_limited", retryable: true };
  if (/quota violation/i.test(message) || code === "500.003.03")
    return { kind: "rate_limited", retryable: true };
  if (code.startsWith("400.002.") || code === "400.003.02")
    return { kind: "validation", retryable: false, field: invalidFieldOf(message) };
  if (isTokenRejectionCode(code) || ["400.008.01", "400.008.02", "404.001.04"].includes(code))
    return { kind: "authentication", retryable: false };
  // B2C: Daraja already holds a request with this OriginatorConversationID (it was accepted).
  // Sending it again changes nothing; the caller asks Transaction Status instead.
  if (code === "500.002.1001" && /duplicate originatorconversationid/i.test(message))
    return { kind: "rejected", retryable: false };
  if (code === "500.001.1001") {
    if (/unable to lock subscriber/i.test(message))
      return { kind: "subscriber_locked", retryable: true, retryAfterMs: SUBSCRIBER_LOCK_WAIT_MS };
    if (/wrong credentials/i.test(message)) return { kind: "wrong_credentials", retryable: false };
    if (/merchant does not exist/i.test(message)) return { kind: "merchant_not_found", retryable: false };
    return { kind: "server", retryable: true };
  }
  if (code.startsWith("5") || code.startsWith("00.")) return { kind: "server", retryable: true };
  return { kind: "rejected", retryable: false };
}

/** Codes after which a fresh token and one more attempt may succeed (expired or superseded token). */
export function isTokenRejectionCode(code: string | null): boolean {
  if (code === null) return false;
  return code === "404.001.03" || code === "400.003.01" || code.startsWith("401.");
}

function verdictForFault(faultCode: string | null, status: number, operation: DarajaOperation): Verdict {
  const code = faultCode ?? "";
  if (/spikearrest|quota/i.test(code)) return { kind: "rate_limited", retryable: true };
  if (/access_?token|oauth|apikey/i.test(code)) return { kind: "authentication", retryable: false };
  return verdictForStatus(status, operation, false);
}

function verdictForStatus(status: number, operation: DarajaOperation, empty: boolean): Verdict {
  if (status === 401 || status === 403) return { kind: "authentication", retryable: false };
  if (status === 429) return { kind: "rate_limited", retryable: true };
  if (status >= 500) return { kind: "server", retryable: true };
  // Production OAuth answers well-formed Basic auth with the wrong key/secret by 400 and no body.
  if (operation === "token" && status === 400 && empty) return { kind: "authentication", retryable: false };
  if (status >= 400) return { kind: "rejected", retryable: false };
  // A 2xx we cannot read (a CDN page, say): asking again is safe for the token and queries.
  return { kind: "unexpected_response", retryable: retriedAutomatically(operation) };
}

/** The error for an answer that is not a success, whatever its body looks like. */
export function errorFromResponse(operation: DarajaOperation, response: RawResponse): DarajaError {
  const body = readResponseBody(response.text);
  const label = operationLabel(operation);
  const base = { operation, httpStatus: response.status };
  switch (body.shape) {
    case "envelope": {
      const { envelope } = body;
      const verdict = verdictForEnvelope(envelope);
      const said = envelope.errorMessage === null ? "" : ` ${sanitizeRemoteText(envelope.errorMessage)}`;
      const where = `HTTP ${response.status}${envelope.requestId ? `, requestId ${envelope.requestId}` : ""}`;
      const error = new DarajaError(
        verdict.kind,
        `${label} failed (${verdict.kind}): ${envelope.errorCode}${said} [${where}]`,
        {
          ...base,
          retryable: verdict.retryable,
          errorCode: envelope.errorCode,
          errorMessage: envelope.errorMessage,
          requestId: envelope.requestId,
          field: verdict.field ?? null,
          retryAfterMs: verdict.retryAfterMs ?? null,
        },
      );
      // Only codes that prove a refusal (spike arrest, quota, validation, credentials, a locked
      // subscriber) say nothing was created; any other 5xx may hide a prompt that went out.
      return mayActOnceSent(operation) && verdict.kind === "server" ? outcomeUnknown(error) : error;
    }
    case "apigee_fault": {
      const verdict = verdictForFault(body.faultCode, response.status, operation);
      return unreadable(operation, response, verdict, `gateway fault ${body.faultCode ?? "(no code)"}`, {
        errorCode: body.faultCode,
        errorMessage: body.faultString,
      });
    }
    case "empty":
      return unreadable(
        operation,
        response,
        verdictForStatus(response.status, operation, true),
        "empty body",
      );
    case "not_json":
      return unreadable(
        operation,
        response,
        verdictForStatus(response.status, operation, false),
        body.looksLikeHtml ? "HTML body" : "non-JSON body",
      );
    case "json":
      return unreadable(
        operation,
        response,
        verdictForStatus(response.status, operation, false),
        "JSON body without an error envelope",
      );
    default: {
      const _exhaustive: never = body;
      return _exhaustive;
    }
  }
}

function unreadable(
  operation: DarajaOperation,
  response: RawResponse,
  verdict: Verdict,
  what: string,
  raw: { errorCode?: string | null; errorMessage?: string | null } = {},
): DarajaError {
  const contentType = response.contentType || "no content type";
  const error = new DarajaError(
    verdict.kind,
    `${operationLabel(operation)} failed (${verdict.kind}): HTTP ${response.status} with ${what} (${contentType}, ${response.text.length} bytes)`,
    { operation, httpStatus: response.status, retryable: verdict.retryable, ...raw },
  );
  // For a push, a 5xx or 2xx we cannot read may hide a created prompt: its outcome is unknown.
  if (mayActOnceSent(operation) && (verdict.kind === "server" || verdict.kind === "unexpected_response"))
    return outcomeUnknown(error);
  return error;
}

/** Wraps what happened to a request that may have reached Daraja and acted (a push). Never retried. */
export function outcomeUnknown(error: DarajaError): DarajaError {
  const query = settledBy(error.operation);
  const reconcile = query === null ? "ask again" : `reconcile by ${operationLabel(query)}`;
  return new DarajaError(
    "outcome_unknown",
    `${operationLabel(error.operation)} outcome unknown (${error.kind}): it may or may not have been carried out; ${reconcile}, do not resend. ${error.message}`,
    {
      operation: error.operation,
      retryable: false,
      httpStatus: error.httpStatus,
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      requestId: error.requestId,
      underlying: error.kind,
      cause: error,
    },
  );
}

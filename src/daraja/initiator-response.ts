/**
 * Reads Daraja's synchronous answer to a B2C, Reversal, Transaction Status or Account Balance
 * request: `{ConversationID, OriginatorConversationID, ResponseCode:"0", ResponseDescription}` (any
 * key order) is an acceptance — the result comes later on ResultURL — and anything else becomes the
 * typed DarajaError of error-response.ts.
 */
import { errorFromResponse, outcomeUnknown, type RawResponse, readResponseBody } from "./error-response.ts";
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { mayActOnceSent, retriedAutomatically } from "./operations.ts";
import { normalizeResultCode } from "./result-codes.ts";

export type InitiatorOperation = Extract<
  DarajaOperation,
  "b2c_payment" | "reversal" | "transaction_status" | "account_balance"
>;

/** Daraja accepted the request: NOT a result. Keep both ids; the result names them. */
export interface InitiatorAccepted {
  conversationId: string;
  originatorConversationId: string;
  responseCode: string;
  responseDescription: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
/** Ids are opaque (`AG_20240706_2010…`, `f1e2-4b95-…`, `62947-35666607-1`) but bounded and printable. */
const id = (v: unknown): string | null =>
  typeof v === "string" && /^[A-Za-z0-9_.:-]{1,100}$/.test(v) ? v : null;

/**
 * `sentOriginatorConversationId`: what we sent (B2C v3); an acceptance naming another one is not
 * ours and is refused as unexpected.
 */
export function readInitiatorAcceptance(
  operation: InitiatorOperation,
  response: RawResponse,
  sentOriginatorConversationId?: string,
): InitiatorAccepted {
  const body = readResponseBody(response.text);
  if (response.status < 200 || response.status >= 300 || body.shape !== "json")
    throw errorFromResponse(operation, response);
  const value = body.value;
  const code = isRecord(value) ? value.ResponseCode : undefined;
  const responseCode =
    typeof code === "string" || (typeof code === "number" && Number.isSafeInteger(code))
      ? normalizeResultCode(code)
      : null;
  if (!isRecord(value) || responseCode === null)
    throw unexpected(operation, response.status, "no ResponseCode in the answer");
  const description = typeof value.ResponseDescription === "string" ? value.ResponseDescription : "";
  if (responseCode !== "0")
    throw new DarajaError(
      "rejected",
      `${operation} rejected: ResponseCode ${responseCode} ${description}`.trim(),
      {
        operation,
        retryable: false,
        httpStatus: response.status,
        errorCode: responseCode,
        errorMessage: description,
      },
    );
  const conversationId = id(value.ConversationID);
  const originatorConversationId = id(value.OriginatorConversationID);
  if (conversationId === null || originatorConversationId === null)
    throw unexpected(operation, response.status, "accepted without ConversationID/OriginatorConversationID");
  if (sentOriginatorConversationId !== undefined && originatorConversationId !== sentOriginatorConversationId)
    throw unexpected(operation, response.status, "the acceptance names another OriginatorConversationID");
  return { conversationId, originatorConversationId, responseCode, responseDescription: description };
}

/**
 * B2C: `500.002.1001 Duplicate OriginatorConversationID.` means Daraja already accepted a request
 * with this id — do not pay again; ask Transaction Status what became of it.
 */
export function isDuplicateOriginatorConversationId(error: unknown): boolean {
  return (
    error instanceof DarajaError &&
    error.errorCode === "500.002.1001" &&
    /duplicate originatorconversationid/i.test(error.errorMessage ?? "")
  );
}

/** An answer we cannot read: for a B2C or a reversal (they may act once sent) the outcome is unknown. */
function unexpected(operation: InitiatorOperation, httpStatus: number, problem: string): DarajaError {
  const error = new DarajaError("unexpected_response", `Daraja ${operation}: ${problem}`, {
    operation,
    retryable: retriedAutomatically(operation),
    httpStatus,
  });
  return mayActOnceSent(operation) ? outcomeUnknown(error) : error;
}

/**
 * Reads Daraja's answers to STK Push and STK Push Query into our typed results, or the typed error.
 */
import type { StkPushAccepted, StkQueryResult } from "./contract.ts";
import {
  errorFromResponse,
  isTokenRejectionCode,
  outcomeUnknown,
  type RawResponse,
  readResponseBody,
} from "./error-response.ts";
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { classifyResultCode, normalizeResultCode } from "./result-codes.ts";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const code = (v: unknown): string | null =>
  typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? normalizeResultCode(v) : null;

/** Daraja refused the access token (expired, or replaced by a newer one): refresh once and resend. */
export function tokenRefused(response: RawResponse): boolean {
  const body = readResponseBody(response.text);
  if (body.shape === "envelope") return isTokenRejectionCode(body.envelope.errorCode.trim());
  return response.status === 401;
}

const isSuccessStatus = (status: number) => status >= 200 && status < 300;

/** A 200 with ResponseCode "0" is an acceptance; another ResponseCode is a rejection (reference §3). */
export function readPushAcceptance(response: RawResponse): StkPushAccepted {
  const body = readResponseBody(response.text);
  if (!isSuccessStatus(response.status) || body.shape !== "json")
    throw errorFromResponse("stk_push", response);
  const value = body.value;
  const responseCode = isRecord(value) ? code(value.ResponseCode) : null;
  if (!isRecord(value) || responseCode === null)
    throw outcomeUnknown(unexpected("stk_push", response.status, "no ResponseCode in the push response"));
  const description = text(value.ResponseDescription) ?? "";
  if (responseCode !== "0") {
    throw new DarajaError(
      "rejected",
      `STK Push rejected: ResponseCode ${responseCode} ${description}`.trim(),
      {
        operation: "stk_push",
        retryable: false,
        httpStatus: response.status,
        errorCode: responseCode,
        errorMessage: description,
      },
    );
  }
  const merchantRequestId = text(value.MerchantRequestID);
  const checkoutRequestId = text(value.CheckoutRequestID);
  if (merchantRequestId === null || checkoutRequestId === null)
    throw outcomeUnknown(
      unexpected("stk_push", response.status, "accepted push without MerchantRequestID/CheckoutRequestID"),
    );
  const accepted: StkPushAccepted = {
    merchantRequestId,
    checkoutRequestId,
    responseCode,
    responseDescription: description,
  };
  const customerMessage = text(value.CustomerMessage);
  if (customerMessage !== null) accepted.customerMessage = customerMessage;
  return accepted;
}

/**
 * Query answers (reference §5): ResultCode "4999" and the HTTP 500 500.001.1001 "being processed"
 * mean not final; "does not Exist" is reported as not_found (it is also answered, intermittently,
 * for known IDs — the caller decides when to give up). Everything else with a ResultCode is final.
 */
export function readQueryResult(response: RawResponse, checkoutRequestId: string): StkQueryResult {
  const body = readResponseBody(response.text);
  if (body.shape === "envelope" && body.envelope.errorCode.trim() === "500.001.1001") {
    const said = body.envelope.errorMessage ?? "";
    if (/being processed/i.test(said)) return { kind: "not_final", reason: "processing", resultDesc: said };
    if (/does not exist/i.test(said)) return { kind: "not_final", reason: "not_found", resultDesc: said };
  }
  if (!isSuccessStatus(response.status) || body.shape !== "json")
    throw errorFromResponse("stk_query", response);
  const value = body.value;
  if (!isRecord(value)) throw unexpected("stk_query", response.status, "query response is not an object");
  const resultCode = code(value.ResultCode);
  const resultDesc = text(value.ResultDesc) ?? "";
  if (resultCode === null) {
    const responseCode = code(value.ResponseCode);
    if (responseCode !== null && responseCode !== "0")
      throw new DarajaError("rejected", `STK Push Query rejected: ResponseCode ${responseCode}`, {
        operation: "stk_query",
        retryable: false,
        httpStatus: response.status,
        errorCode: responseCode,
        errorMessage: text(value.ResponseDescription),
      });
    throw unexpected("stk_query", response.status, "no ResultCode in the query response");
  }
  if (classifyResultCode(resultCode).outcome === "not_final")
    return { kind: "not_final", reason: "processing", resultDesc };
  const answeredFor = text(value.CheckoutRequestID);
  if (answeredFor !== null && answeredFor !== checkoutRequestId)
    throw unexpected("stk_query", response.status, "the answer is for another CheckoutRequestID");
  return {
    kind: "final",
    merchantRequestId: text(value.MerchantRequestID) ?? "",
    checkoutRequestId,
    resultCode,
    resultDesc,
  };
}

function unexpected(operation: DarajaOperation, httpStatus: number, problem: string): DarajaError {
  return new DarajaError("unexpected_response", `Daraja ${operation}: ${problem}`, {
    operation,
    retryable: false,
    httpStatus,
  });
}

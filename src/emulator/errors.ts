/**
 * Daraja's synchronous rejections: `{requestId, errorCode, errorMessage}` (that key order, all
 * strings), sent with the HTTP status named by the code's first three digits.
 */
import type { DarajaErrorEnvelope } from "../daraja/wire.ts";

/** A rejection before its requestId is assigned. */
export interface DarajaRejection {
  errorCode: string;
  errorMessage: string;
  /** Overrides the generated requestId (the old "being processed" answer used the CheckoutRequestID). */
  requestId?: string;
}

/** Fields Daraja names in "Bad Request - Invalid <Field>" (TransactionDesc is reported as Remarks). */
export type InvalidField =
  | "OriginatorConversationID"
  | "InitiatorName"
  | "Initiator"
  | "SecurityCredential"
  | "CommandID"
  | "TransactionID"
  | "ReceiverParty"
  | "RecieverIdentifierType"
  | "IdentifierType"
  | "QueueTimeOutURL"
  | "ResultURL"
  | "Occasion"
  | "BusinessShortCode"
  | "Timestamp"
  | "TransactionType"
  | "Amount"
  | "PartyA"
  | "PartyB"
  | "PhoneNumber"
  | "CallBackURL"
  | "AccountReference"
  | "Remarks"
  | "CheckoutRequestID";

export const rejections = {
  invalidField: (field: InvalidField): DarajaRejection => ({
    errorCode: "400.002.02",
    errorMessage: `Bad Request - Invalid ${field}`,
  }),
  invalidAuthentication: { errorCode: "400.008.01", errorMessage: "Invalid Authentication passed" },
  invalidGrantType: { errorCode: "400.008.02", errorMessage: "Invalid grant type passed" },
  invalidAccessToken: { errorCode: "404.001.03", errorMessage: "Invalid Access Token" },
  resourceNotFound: { errorCode: "404.001.01", errorMessage: "Resource not found" },
  methodNotAllowed: { errorCode: "405.001", errorMessage: "Method Not Allowed" },
  wrongCredentials: { errorCode: "500.001.1001", errorMessage: "Wrong credentials" },
  merchantDoesNotExist: { errorCode: "500.001.1001", errorMessage: "Merchant does not exist" },
  unableToLockSubscriber: {
    errorCode: "500.001.1001",
    errorMessage: "Unable to lock subscriber, a transaction is already in process for the current subscriber",
  },
  transactionDoesNotExist: { errorCode: "500.001.1001", errorMessage: "The transaction does not Exist" },
  beingProcessed: (checkoutRequestId: string): DarajaRejection => ({
    requestId: checkoutRequestId,
    errorCode: "500.001.1001",
    errorMessage: "The transaction is being processed",
  }),
  spikeArrest: { errorCode: "500.003.02", errorMessage: "Error Occurred: Spike Arrest Violation" },
  /** B2C and Account Balance word a refused token differently, and echo it (or XXX). */
  invalidAccessTokenB2c: (token: string | null): DarajaRejection => ({
    errorCode: "401.002.01",
    errorMessage: `Error Occurred - Invalid Access Token - ${token ?? "XXX"}`,
  }),
  /** Transaction Status (and C2B) docs: 400.003.01. */
  invalidAccessTokenQuery: { errorCode: "400.003.01", errorMessage: "Invalid Access Token" },
  duplicateOriginatorConversationId: {
    errorCode: "500.002.1001",
    errorMessage: "Duplicate OriginatorConversationID.",
  },
  systemInternalError: { errorCode: "500.002.1001", errorMessage: "System internal error." },
  internalServerError: { errorCode: "500.003.1001", errorMessage: "Internal Server Error" },
} as const satisfies Record<string, DarajaRejection | ((arg: never) => DarajaRejection)>;

/** HTTP status of an errorCode: its first three digits ("500.001.1001" → 500). */
export function httpStatusOf(errorCode: string): number {
  const status = Number(errorCode.slice(0, 3));
  return status >= 400 && status <= 599 ? status : 500;
}

export function envelopeOf(rejection: DarajaRejection, requestId: string): DarajaErrorEnvelope {
  return {
    requestId: rejection.requestId ?? requestId,
    errorCode: rejection.errorCode,
    errorMessage: rejection.errorMessage,
  };
}

/** What the Apigee gateway answers for test number 254700009005: HTML, not JSON. */
export const GATEWAY_UNAVAILABLE_HTML =
  "<html><head><title>503 Service Unavailable</title></head><body><center><h1>503 Service Unavailable</h1></center>" +
  "<p>No server is available to handle this request.</p></body></html>";

/** A path Daraja does not have: each product family has its own code (reference §3). */
export function resourceNotFoundFor(path: string): DarajaRejection {
  if (/^\/mpesa\/(b2c|accountbalance)\//i.test(path))
    return { errorCode: "404.002.01", errorMessage: "Resource not found" };
  if (/^\/mpesa\/(c2b|transactionstatus)\//i.test(path))
    return { errorCode: "404.003.01", errorMessage: "Resource not found" };
  return rejections.resourceNotFound;
}

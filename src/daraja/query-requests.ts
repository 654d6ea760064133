/**
 * Transaction Status (reference §10) and Account Balance (§13) queries: asking is always safe to
 * repeat. Transaction Status finds a transaction by its receipt, by the OriginatorConversationID of
 * the request that made it, or both — the way to settle a payout or refund whose result was lost.
 */
import { invalidInput } from "./errors.ts";
import {
  type InitiatorParty,
  type ResultUrls,
  validateParty,
  validConversationId,
  validOccasion,
  validReceipt,
  validRemarks,
  validResultUrls,
} from "./initiator-request.ts";
import type { AccountBalanceRequestBody, TransactionStatusRequestBody } from "./initiator-wire.ts";

export const TRANSACTION_STATUS_PATH = "/mpesa/transactionstatus/v1/query";
export const ACCOUNT_BALANCE_PATH = "/mpesa/accountbalance/v1/query";
/** PartyA is a shortcode. */
export const SHORTCODE_IDENTIFIER_TYPE = "4";

export interface TransactionStatusInput extends ResultUrls {
  /** The receipt, when known. */
  transactionId?: string;
  /** The OriginatorConversationID of the request that made the transaction (our payout id for B2C). */
  originalConversationId?: string;
  remarks: string;
  occasion?: string;
}

export interface ValidTransactionStatus extends ResultUrls {
  transactionId: string | undefined;
  originalConversationId: string | undefined;
  remarks: string;
  occasion: string | undefined;
}

export function validateTransactionStatusInput(input: TransactionStatusInput): ValidTransactionStatus {
  const op = "transaction_status";
  if (input.transactionId === undefined && input.originalConversationId === undefined)
    throw invalidInput(op, "TransactionID", "or OriginalConversationID is required");
  return {
    transactionId: input.transactionId === undefined ? undefined : validReceipt(op, input.transactionId),
    originalConversationId:
      input.originalConversationId === undefined
        ? undefined
        : validConversationId(op, "OriginalConversationID", input.originalConversationId),
    remarks: validRemarks(op, input.remarks),
    occasion: validOccasion(input.occasion),
    ...validResultUrls(op, input),
  };
}

/** Unspaced keys: the published sample's `"Command ID"`/`"Transaction ID"` are a doc bug. */
export function buildTransactionStatusBody(
  party: InitiatorParty,
  query: ValidTransactionStatus,
): TransactionStatusRequestBody {
  validateParty("transaction_status", party);
  // Built in the documented key order; absent ids are left out rather than sent empty.
  return {
    Initiator: party.initiatorName,
    SecurityCredential: party.securityCredential.reveal(),
    CommandID: "TransactionStatusQuery",
    ...(query.transactionId === undefined ? {} : { TransactionID: query.transactionId }),
    ...(query.originalConversationId === undefined
      ? {}
      : { OriginalConversationID: query.originalConversationId }),
    PartyA: party.shortcode,
    IdentifierType: SHORTCODE_IDENTIFIER_TYPE,
    ResultURL: query.resultUrl,
    QueueTimeOutURL: query.queueTimeoutUrl,
    Remarks: query.remarks,
    ...(query.occasion === undefined ? {} : { Occasion: query.occasion }),
  };
}

export interface AccountBalanceInput extends ResultUrls {
  remarks: string;
}

export interface ValidAccountBalance extends ResultUrls {
  remarks: string;
}

export function validateAccountBalanceInput(input: AccountBalanceInput): ValidAccountBalance {
  const op = "account_balance";
  return { remarks: validRemarks(op, input.remarks), ...validResultUrls(op, input) };
}

export function buildAccountBalanceBody(
  party: InitiatorParty,
  query: ValidAccountBalance,
): AccountBalanceRequestBody {
  validateParty("account_balance", party);
  return {
    Initiator: party.initiatorName,
    SecurityCredential: party.securityCredential.reveal(),
    CommandID: "AccountBalance",
    PartyA: party.shortcode,
    IdentifierType: SHORTCODE_IDENTIFIER_TYPE,
    Remarks: query.remarks,
    QueueTimeOutURL: query.queueTimeoutUrl,
    ResultURL: query.resultUrl,
  };
}

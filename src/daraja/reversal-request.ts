/**
 * Reversal requests (customer refunds of an STK payment), reference §11. A reversal has no
 * idempotency key: never resend one automatically — ask Transaction Status about the original
 * receipt instead (a second reversal is answered `R000001` "already reversed").
 */
import {
  type InitiatorParty,
  type ResultUrls,
  validAmount,
  validateParty,
  validOccasion,
  validReceipt,
  validRemarks,
  validResultUrls,
} from "./initiator-request.ts";
import type { ReversalRequestBody } from "./initiator-wire.ts";

export const REVERSAL_PATH = "/mpesa/reversal/v1/request";
/** "11" per the docs (some integrators report "4"); sent under Safaricom's misspelt key. */
export const REVERSAL_RECEIVER_IDENTIFIER_TYPE = "11";

export interface ReversalInput extends ResultUrls {
  /** The receipt of the payment to reverse. */
  transactionId: string;
  /** Whole KES: the amount of that payment. */
  amount: number;
  remarks: string;
  occasion?: string;
}

export interface ValidReversal extends ResultUrls {
  transactionId: string;
  amount: number;
  remarks: string;
  occasion: string | undefined;
}

export function validateReversalInput(input: ReversalInput): ValidReversal {
  const op = "reversal";
  return {
    transactionId: validReceipt(op, input.transactionId),
    amount: validAmount(op, input.amount, 1, 250_000),
    remarks: validRemarks(op, input.remarks),
    occasion: validOccasion(input.occasion),
    ...validResultUrls(op, input),
  };
}

/** `party.shortcode` is the ReceiverParty: the shortcode that received the payment. */
export function buildReversalBody(party: InitiatorParty, reversal: ValidReversal): ReversalRequestBody {
  validateParty("reversal", party);
  const body: ReversalRequestBody = {
    Initiator: party.initiatorName,
    SecurityCredential: party.securityCredential.reveal(),
    CommandID: "TransactionReversal",
    TransactionID: reversal.transactionId,
    Amount: reversal.amount,
    ReceiverParty: party.shortcode,
    RecieverIdentifierType: REVERSAL_RECEIVER_IDENTIFIER_TYPE,
    ResultURL: reversal.resultUrl,
    QueueTimeOutURL: reversal.queueTimeoutUrl,
    Remarks: reversal.remarks,
  };
  if (reversal.occasion !== undefined) body.Occasion = reversal.occasion;
  return body;
}

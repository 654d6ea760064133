/**
 * What the payment service needs from Daraja, in our own typed terms. The client in this folder
 * implements it against Safaricom (or the emulator); tests may implement it with a fake.
 */
import type { B2cPaymentInput } from "./b2c-request.ts";
import type { InitiatorAccepted } from "./initiator-response.ts";
import type { Msisdn } from "./phone.ts";
import type { AccountBalanceInput, TransactionStatusInput } from "./query-requests.ts";
import type { ReversalInput } from "./reversal-request.ts";

export type {
  AccountBalanceInput,
  B2cPaymentInput,
  InitiatorAccepted,
  ReversalInput,
  TransactionStatusInput,
};

export interface StkPushInput {
  /** Canonical MSISDN that receives the prompt and pays (PartyA and PhoneNumber). */
  phoneNumber: Msisdn;
  /** Whole Kenyan shillings, 1–250,000. */
  amount: number;
  /** Shown to the customer; sanitised and cut to 12 characters. */
  accountReference: string;
  /** Sanitised and cut to 13 characters; never empty (Daraja refuses a missing one). */
  transactionDesc: string;
  /** Where Daraja POSTs the result; delivered exactly as given, query string intact. */
  callbackUrl: string;
}

/** Daraja accepted the push: a prompt is on its way. Not a payment. */
export interface StkPushAccepted {
  merchantRequestId: string;
  checkoutRequestId: string;
  responseCode: string;
  responseDescription: string;
  customerMessage?: string;
}

/** A query answer that settles the payment one way or the other. */
export interface StkQueryFinal {
  kind: "final";
  merchantRequestId: string;
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
}

/**
 * Not settled yet: ResultCode 4999 ("still under processing"), HTTP 500 500.001.1001 "being
 * processed", or the transient "does not Exist" Daraja sometimes answers for known IDs.
 */
export interface StkQueryNotFinal {
  kind: "not_final";
  reason: "processing" | "not_found";
  resultDesc: string;
}

export type StkQueryResult = StkQueryFinal | StkQueryNotFinal;

/** A parsed, typed `Body.stkCallback`. Metadata values are read by Name, never by position. */
export interface StkCallback {
  merchantRequestId: string;
  checkoutRequestId: string;
  /** Always a string: callbacks send numbers, but also "SFC_IC0003". */
  resultCode: string;
  resultDesc: string;
  metadata: StkCallbackMetadata | null;
}

export interface StkCallbackMetadata {
  amount: number | null;
  mpesaReceiptNumber: string | null;
  /** `YYYYMMDDHHmmss` in East Africa Time, as a string. */
  transactionDate: string | null;
  /** Digits, or masked (`2547****4149`) as some callbacks send it: compare with `couldBeMsisdn`. */
  phoneNumber: string | null;
  balance: string | null;
}

export interface DarajaApi {
  stkPush(input: StkPushInput): Promise<StkPushAccepted>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryResult>;
  /**
   * Null when a request would be queued now; otherwise (the queue toward Daraja is full) how long
   * until there is room. A request sent anyway is refused as `rate_limited` (local, `queue_full`).
   */
  congestion?(): { retryAfterMs: number } | null;
}

/** Which of our shortcodes a query is about: the B2C one that pays out, or the one that collects. */
export type InitiatorShortcode = "payouts" | "collections";

/**
 * Transaction Status, asked as the shortcode the transaction concerns: a payout as the B2C shortcode,
 * a customer's payment (and its reversal) as the collecting one.
 */
export interface StatusQueryInput extends TransactionStatusInput {
  party: InitiatorShortcode;
}

/**
 * Money out and the queries about it (reference §9–11, §13). Each answer is only Daraja's
 * synchronous acceptance: the result comes later, POSTed to the `resultUrl` given.
 * - `b2cPayment` is sent once per call; after an unknown outcome the caller may call again with the
 *   same OriginatorConversationID (Daraja refuses a duplicate: `isDuplicateOriginatorConversationId`).
 * - `reversal` is sent once and must never be repeated by itself: ask Transaction Status instead.
 * - `transactionStatus` and `accountBalance` are retried by the client (nothing is created).
 */
export interface DarajaPayoutsApi {
  b2cPayment(input: B2cPaymentInput): Promise<InitiatorAccepted>;
  reversal(input: ReversalInput): Promise<InitiatorAccepted>;
  transactionStatus(input: StatusQueryInput): Promise<InitiatorAccepted>;
  accountBalance(input: AccountBalanceInput): Promise<InitiatorAccepted>;
}

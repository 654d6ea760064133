/**
 * What the payment service needs from Daraja, in our own typed terms. The client in this folder
 * implements it against Safaricom (or the emulator); tests may implement it with a fake.
 */
import type { Msisdn } from "./phone.ts";

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
}

/**
 * What we ask Daraja for when a booking fee is pushed: the same facts a person later looks for on
 * the M-Pesa statement (phone, amount, account reference), so both are built here.
 */
import type { StkPushInput } from "../daraja/contract.ts";
import { normalizeMsisdn } from "../daraja/phone.ts";
import type { PaymentTransactionRow } from "../db/schema.ts";
import { type CallbackUrlConfig, signedCallbackUrl } from "./callback-url.ts";

/** Shown to the customer in the prompt and on the statement (Daraja keeps 12 characters). */
export function accountReferenceFor(bookingId: string): string {
  return `BK${bookingId.slice(-8).toUpperCase()}`;
}

export function pushRequestFor(callbackUrl: CallbackUrlConfig, tx: PaymentTransactionRow): StkPushInput {
  const phoneNumber = normalizeMsisdn(tx.phone_number);
  if (phoneNumber === null) throw new Error(`transaction ${tx.id} holds a non-canonical phone number`);
  return {
    phoneNumber,
    amount: tx.amount,
    accountReference: accountReferenceFor(tx.booking_id),
    transactionDesc: "Booking fee",
    callbackUrl: signedCallbackUrl(callbackUrl, tx.id),
  };
}

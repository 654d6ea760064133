/**
 * The cheap checks of a stored callback (payments.md "Trusting a callback"), run when it arrives
 * and again whenever it is processed: allow-list, signature, shape, the transaction's ids, amount,
 * phone, a receipt already recorded elsewhere. Reading only; deciding is the caller's.
 */
import type { StkCallback } from "../daraja/contract.ts";
import { couldBeMsisdn } from "../daraja/phone.ts";
import { parseStkCallback, StkCallbackParseError } from "../daraja/stk-callback.ts";
import type { MpesaCallbackRow, PaymentTransactionRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { PaymentsContext } from "./context.ts";
import {
  findByCheckoutRequestId,
  findByReceipt,
  findTransaction,
  hadUnknownPushOutcome,
} from "./payment.repository.ts";

export type CheckedCallback =
  | { ok: true; tx: PaymentTransactionRow; callback: StkCallback }
  | { ok: false; error: AppError };

/** A parsed body, or why it could not be parsed (the parser's own words, naming the field). */
export type ParsedBody = { ok: true; callback: StkCallback } | { ok: false; problem: string };

/**
 * Daraja's parser, plus one rule of ours: a callback carrying NUL anywhere (raw, or escaped as
 * `\u0000`) is malformed. No Daraja callback does, and text columns cannot store the character.
 */
export function parseCallbackBody(raw: string): ParsedBody {
  try {
    const callback = parseStkCallback(raw);
    if (JSON.stringify(callback).includes("\\u0000"))
      throw new StkCallbackParseError("Body.stkCallback", "contains a NUL character");
    return { ok: true, callback };
  } catch (error) {
    return { ok: false, problem: error instanceof StkCallbackParseError ? error.message : "unreadable" };
  }
}

const refuse = (reason: string): CheckedCallback => ({
  ok: false,
  error: new AppError("CALLBACK_REJECTED", reason),
});

export async function checkCallback(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  body: ParsedBody,
): Promise<CheckedCallback> {
  const { allowedIps } = ctx.callbacks;
  const executor = ctx.db.kysely;
  if (allowedIps.length > 0 && (row.source_ip === null || !allowedIps.includes(row.source_ip)))
    return refuse(`Callback source address ${row.source_ip ?? "unknown"} is not allowed`);
  if (row.signature_valid !== 1 || row.transaction_id === null)
    return refuse("Callback signature is missing or invalid");
  if (!body.ok)
    return { ok: false, error: new AppError("VALIDATION_ERROR", `Malformed callback: ${body.problem}`) };
  const { callback } = body;
  const tx = await findTransaction(executor, row.transaction_id);
  if (!tx) return refuse("Callback names an unknown transaction");
  if (tx.checkout_request_id !== null) {
    if (
      callback.checkoutRequestId !== tx.checkout_request_id ||
      callback.merchantRequestId !== tx.merchant_request_id
    )
      return refuse("CheckoutRequestID or MerchantRequestID do not match this transaction");
  } else {
    // We never stored Daraja's ids: only an attempt whose push outcome was unknown (or is still in
    // flight) may learn them from a signed callback.
    const mayAdopt = tx.status === "initiated" || (await hadUnknownPushOutcome(executor, tx.id));
    if (!mayAdopt) return refuse("No prompt was sent for this transaction");
    const owner = await findByCheckoutRequestId(executor, callback.checkoutRequestId);
    if (owner && owner.id !== tx.id) return refuse("CheckoutRequestID belongs to another transaction");
  }
  // Daraja charges exactly the amount we pushed, to the phone we pushed to: a callback that says
  // otherwise is not what we sent, so it is refused. The payment stays open and the reconciler's
  // STK Query (Daraja's own answer) settles it at the pushed amount.
  const metadata = callback.metadata;
  if (metadata?.amount != null && metadata.amount !== tx.amount)
    return refuse(`Amount ${metadata.amount} differs from the ${tx.amount} KES pushed for this transaction`);
  if (metadata?.phoneNumber != null && !couldBeMsisdn(metadata.phoneNumber, tx.phone_number))
    return refuse("PhoneNumber differs from the number the prompt was sent to");
  const receipt = metadata?.mpesaReceiptNumber ?? null;
  if (receipt !== null) {
    const owner = await findByReceipt(executor, receipt);
    if (owner && owner.id !== tx.id) return refuse("M-Pesa receipt already recorded for another transaction");
  }
  return { ok: true, tx, callback };
}

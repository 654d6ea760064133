/**
 * The cheap checks of a callback (payments.md "Trusting a callback"): on arrival those that need no
 * database (allow-list, signature, shape), then against the attempt it names, read in one
 * statement (the transaction's ids, amount, phone, a receipt already recorded elsewhere). Run once
 * when it arrives, and again on the current state whenever a stored callback is processed later.
 * Reading only; deciding is the caller's.
 */
import type { StkCallback } from "../daraja/contract.ts";
import { couldBeMsisdn } from "../daraja/phone.ts";
import { parseStkCallback, StkCallbackParseError } from "../daraja/stk-callback.ts";
import type { MpesaCallbackRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { CallbackSettings, PaymentsContext } from "./context.ts";
import { type CallbackFacts, findPaymentForCallback } from "./payment-facts.repository.ts";

export type CheckedCallback =
  | { ok: true; facts: CallbackFacts; callback: StkCallback }
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

const refuse = (reason: string) => new AppError("CALLBACK_REJECTED", reason);

/** What is known of a callback on arrival, before any reading. */
export type Arrival = Pick<MpesaCallbackRow, "source_ip" | "signature_valid" | "transaction_id">;

/** What passed the checks on arrival: the attempt it names and what it says. */
export type Admitted =
  | { ok: true; transactionId: string; callback: StkCallback }
  | { ok: false; error: AppError };

/** The checks that need no database: allow-list, signature, shape. */
export function checkArrival(settings: CallbackSettings, arrival: Arrival, body: ParsedBody): Admitted {
  const { allowedIps } = settings;
  if (allowedIps.length > 0 && (arrival.source_ip === null || !allowedIps.includes(arrival.source_ip)))
    return {
      ok: false,
      error: refuse(`Callback source address ${arrival.source_ip ?? "unknown"} is not allowed`),
    };
  if (arrival.signature_valid !== 1 || arrival.transaction_id === null)
    return { ok: false, error: refuse("Callback signature is missing or invalid") };
  if (!body.ok)
    return { ok: false, error: new AppError("VALIDATION_ERROR", `Malformed callback: ${body.problem}`) };
  return { ok: true, transactionId: arrival.transaction_id, callback: body.callback };
}

/** What the checks against the attempt read: the callback's ids and receipt. */
export const namesIn = (callback: StkCallback) => ({
  checkoutRequestId: callback.checkoutRequestId,
  receipt: callback.metadata?.mpesaReceiptNumber ?? null,
});

/** The checks against the attempt the callback names, on what was read of it: the refusal, or null. */
export function checkAgainstPayment(facts: CallbackFacts | null, callback: StkCallback): AppError | null {
  if (!facts) return refuse("Callback names an unknown transaction");
  const tx = facts.row;
  if (tx.checkout_request_id !== null) {
    if (
      callback.checkoutRequestId !== tx.checkout_request_id ||
      callback.merchantRequestId !== tx.merchant_request_id
    )
      return refuse("CheckoutRequestID or MerchantRequestID do not match this transaction");
  } else {
    // We never stored Daraja's ids: only an attempt whose push outcome was unknown (or is still in
    // flight) may learn them from a signed callback.
    if (tx.status !== "initiated" && !facts.unknownPush)
      return refuse("No prompt was sent for this transaction");
    if (facts.checkoutOwner !== null && facts.checkoutOwner !== tx.id)
      return refuse("CheckoutRequestID belongs to another transaction");
  }
  // Daraja charges exactly the amount we pushed, to the phone we pushed to: a callback that says
  // otherwise is not what we sent, so it is refused. The payment stays open and the reconciler's
  // STK Query (Daraja's own answer) settles it at the pushed amount.
  const metadata = callback.metadata;
  if (metadata?.amount != null && metadata.amount !== tx.amount)
    return refuse(`Amount ${metadata.amount} differs from the ${tx.amount} KES pushed for this transaction`);
  if (metadata?.phoneNumber != null && !couldBeMsisdn(metadata.phoneNumber, tx.phone_number))
    return refuse("PhoneNumber differs from the number the prompt was sent to");
  if (facts.receiptOwner !== null && facts.receiptOwner !== tx.id)
    return refuse("M-Pesa receipt already recorded for another transaction");
  return null;
}

/** Every check of a stored callback, on the attempt as it is now (one read). */
export async function checkCallback(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  body: ParsedBody,
): Promise<CheckedCallback> {
  const admitted = checkArrival(ctx.callbacks, row, body);
  if (!admitted.ok) return admitted;
  const { callback } = admitted;
  const facts = await findPaymentForCallback(ctx.db.kysely, admitted.transactionId, namesIn(callback));
  const refusal = checkAgainstPayment(facts, callback);
  if (refusal !== null || facts === null)
    return { ok: false, error: refusal ?? refuse("Callback names an unknown transaction") };
  return { ok: true, facts, callback };
}

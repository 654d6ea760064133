/**
 * The STK callback as Daraja sends it: one POST of minified JSON to CallBackURL exactly as given,
 * `Content-Type: application/json;charset=UTF-8` and a `BusinessShortCode` header, no signature,
 * and no retry whatever the answer. Every delivery and its answer is recorded.
 */
import type { StkCallbackEnvelope } from "../daraja/wire.ts";
import {
  type DeliveryStatus,
  type OutboundDelivery,
  type OutboundDeps,
  OutboundPosts,
} from "./outbound-posts.ts";
import type { StkSession } from "./sessions.ts";

/** Field order MerchantRequestID, CheckoutRequestID, ResultCode, ResultDesc[, CallbackMetadata]. */
export function stkCallbackPayload(session: StkSession): StkCallbackEnvelope {
  const result = session.result;
  if (result === null) throw new Error(`session ${session.checkoutRequestId} has no result yet`);
  const stkCallback: StkCallbackEnvelope["Body"]["stkCallback"] = {
    MerchantRequestID: session.merchantRequestId,
    CheckoutRequestID: session.checkoutRequestId,
    ResultCode: result.resultCode,
    ResultDesc: result.resultDesc,
  };
  if (result.kind === "paid" && session.receipt !== null) {
    // Item order of every captured callback 2018–2026; Balance never carries a Value.
    stkCallback.CallbackMetadata = {
      Item: [
        { Name: "Amount", Value: session.amount },
        { Name: "MpesaReceiptNumber", Value: session.receipt.mpesaReceiptNumber },
        { Name: "Balance" },
        { Name: "TransactionDate", Value: Number(session.receipt.transactionDate) },
        { Name: "PhoneNumber", Value: Number(session.phoneNumber) },
      ],
    };
  }
  return { Body: { stkCallback } };
}

export type { DeliveryStatus } from "./outbound-posts.ts";

export interface CallbackDelivery extends OutboundDelivery {
  checkoutRequestId: string;
  merchantRequestId: string;
  /** Sent as the `BusinessShortCode` header. */
  businessShortCode: string;
  payload: StkCallbackEnvelope;
}

export type CallbackSenderDeps = OutboundDeps;

export interface ScheduleOptions {
  delayMs: number;
  copy?: "first" | "duplicate";
  note?: string | null;
  /** Hold back until another callback has been sent (reordering fault). */
  reorder?: boolean;
}

export class CallbackSender {
  readonly #posts: OutboundPosts<CallbackDelivery>;

  constructor(deps: CallbackSenderDeps) {
    this.#posts = new OutboundPosts<CallbackDelivery>(deps, {
      idPrefix: "cb_",
      what: "callback delivery",
      headers: (d) => ({
        "Content-Type": "application/json;charset=UTF-8",
        BusinessShortCode: d.businessShortCode,
      }),
      body: (d) => JSON.stringify(d.payload),
      logLine: (d) => [
        { checkoutRequestId: d.checkoutRequestId, status: d.responseStatus, error: d.error },
        "emulator sent STK callback",
      ],
    });
  }

  schedule(session: StkSession, options: ScheduleOptions): CallbackDelivery {
    const delivery = this.#record(session, options.copy ?? "first", "scheduled", options.note ?? null);
    this.#posts.sendLater(delivery, options);
    return delivery;
  }

  /** Records a callback that will never be sent (test number or lost-callback fault). */
  suppress(session: StkSession, note: string): CallbackDelivery {
    return this.#record(session, "first", "suppressed", note);
  }

  list(filter: { checkoutRequestId?: string } = {}): CallbackDelivery[] {
    return this.#posts.list(
      (d) => filter.checkoutRequestId === undefined || d.checkoutRequestId === filter.checkoutRequestId,
    );
  }

  /** Resolves with the first delivery (existing or future) that satisfies `predicate`. */
  waitFor(predicate: (d: CallbackDelivery) => boolean, timeoutMs = 5_000): Promise<CallbackDelivery> {
    return this.#posts.waitFor(predicate, timeoutMs);
  }

  /** Forgets every delivery and aborts those in flight (timers are cancelled by the scheduler). */
  clear(): void {
    this.#posts.clear();
  }

  #record(session: StkSession, copy: "first" | "duplicate", status: DeliveryStatus, note: string | null) {
    return this.#posts.record({
      checkoutRequestId: session.checkoutRequestId,
      merchantRequestId: session.merchantRequestId,
      url: session.callbackUrl,
      businessShortCode: session.shortcode,
      copy,
      status,
      note,
      payload: stkCallbackPayload(session),
    });
  }
}

/**
 * The STK callback as Daraja sends it: one POST of minified JSON to CallBackURL exactly as given,
 * `Content-Type: application/json;charset=UTF-8` and a `BusinessShortCode` header, no signature,
 * and no retry whatever the answer. Every delivery and its answer is recorded.
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { StkCallbackEnvelope } from "../daraja/wire.ts";
import { describeError, postJson } from "./http-post.ts";
import type { Scheduler } from "./scheduler.ts";
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

export type DeliveryStatus = "scheduled" | "held" | "in_flight" | "answered" | "failed" | "suppressed";

export interface CallbackDelivery {
  id: string;
  checkoutRequestId: string;
  merchantRequestId: string;
  url: string;
  /** Sent as the `BusinessShortCode` header. */
  businessShortCode: string;
  /** "first", or a "duplicate" sent after it. */
  copy: "first" | "duplicate";
  status: DeliveryStatus;
  /** Why it is suppressed, late, delayed or held. */
  note: string | null;
  scheduledAt: Date;
  sentAt: Date | null;
  durationMs: number | null;
  /** The receiver's answer; any status counts as answered (Daraja does not retry). */
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  payload: StkCallbackEnvelope;
}

const MAX_DELIVERIES = 2_000;

export interface CallbackSenderDeps {
  fetch: typeof globalThis.fetch;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Real milliseconds before an unanswered callback counts as failed. */
  timeoutMs?: number;
  /** Real-Daraja ms a reordered callback waits for another one before it goes anyway (scaled). */
  maxHoldMs?: number;
  /** Deliveries kept (default 2 000). */
  maxDeliveries?: number;
}

export interface ScheduleOptions {
  delayMs: number;
  copy?: "first" | "duplicate";
  note?: string | null;
  /** Hold back until another callback has been sent (reordering fault). */
  reorder?: boolean;
}

export class CallbackSender {
  readonly #deliveries: CallbackDelivery[] = [];
  readonly #held = new Set<CallbackDelivery>();
  readonly #inFlight = new Set<AbortController>();
  readonly #events = new EventEmitter();
  #counter = 0;

  private readonly deps: CallbackSenderDeps;

  constructor(deps: CallbackSenderDeps) {
    this.deps = deps;
    this.#events.setMaxListeners(0);
  }

  schedule(session: StkSession, options: ScheduleOptions): CallbackDelivery {
    const delivery = this.#record(session, options.copy ?? "first", "scheduled", options.note ?? null);
    this.deps.scheduler.after(options.delayMs, () => {
      if (!options.reorder) return void this.#send(delivery);
      delivery.status = "held";
      this.#held.add(delivery);
      this.#changed(delivery);
      this.deps.scheduler.after(this.deps.maxHoldMs ?? 30_000, () => this.#release(delivery));
    });
    return delivery;
  }

  /** Records a callback that will never be sent (test number or lost-callback fault). */
  suppress(session: StkSession, note: string): CallbackDelivery {
    return this.#record(session, "first", "suppressed", note);
  }

  list(filter: { checkoutRequestId?: string } = {}): CallbackDelivery[] {
    return this.#deliveries.filter(
      (d) => filter.checkoutRequestId === undefined || d.checkoutRequestId === filter.checkoutRequestId,
    );
  }

  /** Resolves with the first delivery (existing or future) that satisfies `predicate`. */
  waitFor(predicate: (d: CallbackDelivery) => boolean, timeoutMs = 5_000): Promise<CallbackDelivery> {
    const existing = this.#deliveries.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onChange = (d: CallbackDelivery) => {
        if (!predicate(d)) return;
        clearTimeout(timer);
        this.#events.off("change", onChange);
        resolve(d);
      };
      const timer = setTimeout(() => {
        this.#events.off("change", onChange);
        reject(new Error(`no matching callback delivery within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.on("change", onChange);
    });
  }

  /** Forgets every delivery and aborts those in flight (timers are cancelled by the scheduler). */
  clear(): void {
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
    this.#held.clear();
    this.#deliveries.length = 0;
  }

  #record(session: StkSession, copy: "first" | "duplicate", status: DeliveryStatus, note: string | null) {
    this.#counter += 1;
    const delivery: CallbackDelivery = {
      id: `cb_${this.#counter}`,
      checkoutRequestId: session.checkoutRequestId,
      merchantRequestId: session.merchantRequestId,
      url: session.callbackUrl,
      businessShortCode: session.shortcode,
      copy,
      status,
      note,
      scheduledAt: this.deps.clock.now(),
      sentAt: null,
      durationMs: null,
      responseStatus: null,
      responseBody: null,
      error: null,
      payload: stkCallbackPayload(session),
    };
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > (this.deps.maxDeliveries ?? MAX_DELIVERIES)) this.#deliveries.shift();
    this.#changed(delivery);
    return delivery;
  }

  #release(delivery: CallbackDelivery): void {
    if (!this.#held.delete(delivery)) return;
    void this.#send(delivery);
  }

  #changed(delivery: CallbackDelivery): void {
    this.#events.emit("change", delivery);
  }

  async #send(delivery: CallbackDelivery): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const started = performance.now();
    delivery.status = "in_flight";
    delivery.sentAt = this.deps.clock.now();
    this.#changed(delivery);
    try {
      const answer = await postJson(
        this.deps.fetch,
        delivery.url,
        { "Content-Type": "application/json;charset=UTF-8", BusinessShortCode: delivery.businessShortCode },
        JSON.stringify(delivery.payload),
        controller.signal,
        this.deps.timeoutMs ?? 10_000,
      );
      delivery.responseStatus = answer.status;
      delivery.responseBody = answer.bodyExcerpt;
      delivery.status = "answered";
    } catch (error) {
      delivery.status = "failed";
      delivery.error = describeError(error);
    } finally {
      this.#inFlight.delete(controller);
      delivery.durationMs = Math.round(performance.now() - started);
    }
    this.deps.logger.info(
      {
        checkoutRequestId: delivery.checkoutRequestId,
        status: delivery.responseStatus,
        error: delivery.error,
      },
      "emulator sent STK callback",
    );
    this.#changed(delivery);
    // A reordered callback goes out right after the next one, so the receiver sees them swapped.
    for (const held of [...this.#held]) if (held !== delivery) this.#release(held);
  }
}

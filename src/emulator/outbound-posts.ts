/**
 * What Daraja's callbacks and results have in common: a POST scheduled for later (or suppressed),
 * sent once and never retried, optionally held back until another one has gone (the reordering
 * fault), timed and recorded with the receiver's answer in a bounded log that tests can wait on.
 * The STK callback sender and the result sender each say only what they send and how.
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { describeError, postJson } from "./http-post.ts";
import type { Scheduler } from "./scheduler.ts";

export type DeliveryStatus = "scheduled" | "held" | "in_flight" | "answered" | "failed" | "suppressed";

/** The fields every recorded POST has. */
export interface OutboundDelivery {
  id: string;
  url: string;
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
}

type OwnFields = "id" | "scheduledAt" | "sentAt" | "durationMs" | "responseStatus" | "responseBody" | "error";

export interface OutboundDeps {
  fetch: typeof globalThis.fetch;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Real milliseconds before an unanswered POST counts as failed. */
  timeoutMs?: number;
  /** Real-Daraja ms a reordered POST waits for another one before it goes anyway (scaled). */
  maxHoldMs?: number;
  /** Deliveries kept (default 2 000). */
  maxDeliveries?: number;
}

/** How one kind of POST is sent and logged. */
export interface OutboundKind<D extends OutboundDelivery> {
  /** Prefix of the delivery ids (`cb_`, `rs_`). */
  idPrefix: string;
  /** Named in the error of a wait that found nothing ("callback delivery"). */
  what: string;
  headers(delivery: D): Record<string, string>;
  body(delivery: D): string;
  /** The log line written once an attempt is over. */
  logLine(delivery: D): [Record<string, unknown>, string];
}

const MAX_DELIVERIES = 2_000;

export class OutboundPosts<D extends OutboundDelivery> {
  readonly #deliveries: D[] = [];
  readonly #held = new Set<D>();
  readonly #inFlight = new Set<AbortController>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  #counter = 0;
  readonly #deps: OutboundDeps;
  readonly #kind: OutboundKind<D>;

  constructor(deps: OutboundDeps, kind: OutboundKind<D>) {
    this.#deps = deps;
    this.#kind = kind;
  }

  /** Records a delivery (its own fields set here) in the bounded log. */
  record(fields: Omit<D, OwnFields>): D {
    this.#counter += 1;
    const delivery = {
      ...fields,
      id: `${this.#kind.idPrefix}${this.#counter}`,
      scheduledAt: this.#deps.clock.now(),
      sentAt: null,
      durationMs: null,
      responseStatus: null,
      responseBody: null,
      error: null,
    } as D;
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > (this.#deps.maxDeliveries ?? MAX_DELIVERIES)) this.#deliveries.shift();
    this.#changed(delivery);
    return delivery;
  }

  /** Sends `delivery` after `delayMs` (scaled by the scheduler), or holds it for the next one to pass it. */
  sendLater(delivery: D, options: { delayMs: number; reorder?: boolean }): void {
    this.#deps.scheduler.after(options.delayMs, () => {
      if (!options.reorder) return void this.#send(delivery);
      delivery.status = "held";
      this.#held.add(delivery);
      this.#changed(delivery);
      this.#deps.scheduler.after(this.#deps.maxHoldMs ?? 30_000, () => this.#release(delivery));
    });
  }

  /** Oldest first. */
  list(predicate: (delivery: D) => boolean = () => true): D[] {
    return this.#deliveries.filter(predicate);
  }

  /** Resolves with the first delivery (existing or future) that satisfies `predicate`. */
  waitFor(predicate: (delivery: D) => boolean, timeoutMs = 5_000): Promise<D> {
    const existing = this.#deliveries.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onChange = (d: D) => {
        if (!predicate(d)) return;
        clearTimeout(timer);
        this.#events.off("change", onChange);
        resolve(d);
      };
      const timer = setTimeout(() => {
        this.#events.off("change", onChange);
        reject(new Error(`no matching ${this.#kind.what} within ${timeoutMs} ms`));
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

  #release(delivery: D): void {
    if (!this.#held.delete(delivery)) return;
    void this.#send(delivery);
  }

  #changed(delivery: D): void {
    this.#events.emit("change", delivery);
  }

  async #send(delivery: D): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const started = performance.now();
    delivery.status = "in_flight";
    delivery.sentAt = this.#deps.clock.now();
    this.#changed(delivery);
    try {
      const answer = await postJson(
        this.#deps.fetch,
        delivery.url,
        this.#kind.headers(delivery),
        this.#kind.body(delivery),
        controller.signal,
        this.#deps.timeoutMs ?? 10_000,
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
    this.#deps.logger.info(...this.#kind.logLine(delivery));
    this.#changed(delivery);
    // A reordered POST goes out right after the next one, so the receiver sees them swapped.
    for (const held of [...this.#held]) if (held !== delivery) this.#release(held);
  }
}

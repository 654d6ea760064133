/**
 * Results and queue-timeout notices as Daraja sends them: one POST to ResultURL (or QueueTimeOutURL)
 * exactly as given, query string intact, `Content-Type: application/json`, no signature, no retry
 * whatever the answer. Every delivery — and every one suppressed on purpose — is recorded.
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { Conversation } from "./conversations.ts";
import { DUPLICATE_GAP_MS } from "./dispatch.ts";
import type { FaultInjector } from "./faults.ts";
import { describeError, postJson } from "./http-post.ts";
import { type ResultPayload, writeResultJson } from "./result-payloads.ts";
import type { Scheduler } from "./scheduler.ts";

export type ResultDeliveryStatus = "scheduled" | "held" | "in_flight" | "answered" | "failed" | "suppressed";

export interface ResultDelivery {
  id: string;
  conversationId: string;
  originatorConversationId: string;
  api: Conversation["api"];
  /** `result` to ResultURL, `timeout` to QueueTimeOutURL. */
  target: "result" | "timeout";
  url: string;
  copy: "first" | "duplicate";
  status: ResultDeliveryStatus;
  note: string | null;
  scheduledAt: Date;
  sentAt: Date | null;
  durationMs: number | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  /** The body as sent. */
  payload: ResultPayload;
}

export interface ResultSenderDeps {
  fetch: typeof globalThis.fetch;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
  /** Real-Daraja ms a reordered result waits for another one before it goes anyway (scaled). */
  maxHoldMs?: number;
  /** Deliveries kept (default 2 000). */
  maxDeliveries?: number;
}

export interface ResultScheduleOptions {
  target: "result" | "timeout";
  delayMs: number;
  copy?: "first" | "duplicate";
  note?: string | null;
  /** Hold back until another result has been sent (reordering fault). */
  reorder?: boolean;
}

const MAX_DELIVERIES = 2_000;

export class ResultSender {
  readonly #deliveries: ResultDelivery[] = [];
  readonly #held = new Set<ResultDelivery>();
  readonly #inFlight = new Set<AbortController>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  #counter = 0;
  private readonly deps: ResultSenderDeps;

  constructor(deps: ResultSenderDeps) {
    this.deps = deps;
  }

  schedule(c: Conversation, payload: ResultPayload, options: ResultScheduleOptions): ResultDelivery {
    const delivery = this.#record(
      c,
      payload,
      options.target,
      options.copy ?? "first",
      "scheduled",
      options.note ?? null,
    );
    this.deps.scheduler.after(options.delayMs, () => {
      if (!options.reorder) return void this.#send(delivery);
      delivery.status = "held";
      this.#held.add(delivery);
      this.#events.emit("change", delivery);
      this.deps.scheduler.after(this.deps.maxHoldMs ?? 30_000, () => this.#release(delivery));
    });
    return delivery;
  }

  suppress(c: Conversation, payload: ResultPayload, note: string): ResultDelivery {
    return this.#record(c, payload, "result", "first", "suppressed", note);
  }

  /** Oldest first. */
  list(filter: { conversationId?: string; originatorConversationId?: string } = {}): ResultDelivery[] {
    return this.#deliveries.filter(
      (d) =>
        (filter.conversationId === undefined || d.conversationId === filter.conversationId) &&
        (filter.originatorConversationId === undefined ||
          d.originatorConversationId === filter.originatorConversationId),
    );
  }

  /** Resolves with the first delivery (existing or future) that satisfies `predicate`. */
  waitFor(predicate: (d: ResultDelivery) => boolean, timeoutMs = 5_000): Promise<ResultDelivery> {
    const existing = this.#deliveries.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onChange = (d: ResultDelivery) => {
        if (!predicate(d)) return;
        clearTimeout(timer);
        this.#events.off("change", onChange);
        resolve(d);
      };
      const timer = setTimeout(() => {
        this.#events.off("change", onChange);
        reject(new Error(`no matching result delivery within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.on("change", onChange);
    });
  }

  clear(): void {
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
    this.#held.clear();
    this.#deliveries.length = 0;
  }

  #release(delivery: ResultDelivery): void {
    if (!this.#held.delete(delivery)) return;
    void this.#send(delivery);
  }

  #record(
    c: Conversation,
    payload: ResultPayload,
    target: "result" | "timeout",
    copy: "first" | "duplicate",
    status: ResultDeliveryStatus,
    note: string | null,
  ): ResultDelivery {
    this.#counter += 1;
    const delivery: ResultDelivery = {
      id: `rs_${this.#counter}`,
      conversationId: c.conversationId,
      originatorConversationId: c.originatorConversationId,
      api: c.api,
      target,
      url: target === "result" ? c.resultUrl : c.queueTimeoutUrl,
      copy,
      status,
      note,
      scheduledAt: this.deps.clock.now(),
      sentAt: null,
      durationMs: null,
      responseStatus: null,
      responseBody: null,
      error: null,
      payload,
    };
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > (this.deps.maxDeliveries ?? MAX_DELIVERIES)) this.#deliveries.shift();
    this.#events.emit("change", delivery);
    return delivery;
  }

  async #send(delivery: ResultDelivery): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const started = performance.now();
    delivery.status = "in_flight";
    delivery.sentAt = this.deps.clock.now();
    this.#events.emit("change", delivery);
    try {
      const answer = await postJson(
        this.deps.fetch,
        delivery.url,
        { "Content-Type": "application/json" },
        writeResultJson(delivery.payload),
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
        conversationId: delivery.conversationId,
        target: delivery.target,
        status: delivery.responseStatus,
        error: delivery.error,
      },
      "emulator sent result",
    );
    this.#events.emit("change", delivery);
    // A reordered result goes out right after the next one, so the receiver sees them swapped.
    for (const held of [...this.#held]) if (held !== delivery) this.#release(held);
  }
}

/**
 * Sends a result as the number's plan says (once, never, twice), then as the seeded faults say
 * (lost, delayed, reordered, duplicated).
 */
export function dispatchResult(
  c: Conversation,
  payload: ResultPayload,
  plan: "once" | "never" | "twice",
  deps: { results: ResultSender; faults: FaultInjector },
): void {
  const { results, faults } = deps;
  if (plan === "never") {
    results.suppress(c, payload, `test number ${c.msisdn}: the result is never sent`);
    return;
  }
  if (faults.roll("resultLost")) {
    results.suppress(c, payload, "fault: resultLost");
    return;
  }
  const delayed = faults.roll("resultDelayed");
  const reorder = faults.roll("resultReordered");
  const extra = delayed ? faults.config.delayedCallbackMs : 0;
  const notes = [delayed ? "fault: resultDelayed" : null, reorder ? "fault: resultReordered" : null];
  results.schedule(c, payload, {
    target: "result",
    delayMs: extra,
    note: notes.filter(Boolean).join("; ") || null,
    reorder,
  });
  if (plan === "twice" || faults.roll("resultDuplicate"))
    results.schedule(c, payload, {
      target: "result",
      delayMs: extra + DUPLICATE_GAP_MS,
      copy: "duplicate",
      note: plan === "twice" ? `test number ${c.msisdn}: the result is sent twice` : "fault: resultDuplicate",
    });
}

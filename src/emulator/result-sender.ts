/**
 * Results and queue-timeout notices as Daraja sends them: one POST to ResultURL (or QueueTimeOutURL)
 * exactly as given, query string intact, `Content-Type: application/json`, no signature, no retry
 * whatever the answer. Every delivery — and every one suppressed on purpose — is recorded.
 */
import type { Conversation } from "./conversations.ts";
import { DUPLICATE_GAP_MS } from "./dispatch.ts";
import type { FaultInjector } from "./faults.ts";
import {
  type DeliveryStatus,
  type OutboundDelivery,
  type OutboundDeps,
  OutboundPosts,
} from "./outbound-posts.ts";
import { type ResultPayload, writeResultJson } from "./result-payloads.ts";

export type ResultDeliveryStatus = DeliveryStatus;

export interface ResultDelivery extends OutboundDelivery {
  conversationId: string;
  originatorConversationId: string;
  api: Conversation["api"];
  /** `result` to ResultURL, `timeout` to QueueTimeOutURL. */
  target: "result" | "timeout";
  /** The body as sent. */
  payload: ResultPayload;
}

export type ResultSenderDeps = OutboundDeps;

export interface ResultScheduleOptions {
  target: "result" | "timeout";
  delayMs: number;
  copy?: "first" | "duplicate";
  note?: string | null;
  /** Hold back until another result has been sent (reordering fault). */
  reorder?: boolean;
}

export class ResultSender {
  readonly #posts: OutboundPosts<ResultDelivery>;

  constructor(deps: ResultSenderDeps) {
    this.#posts = new OutboundPosts<ResultDelivery>(deps, {
      idPrefix: "rs_",
      what: "result delivery",
      headers: () => ({ "Content-Type": "application/json" }),
      body: (d) => writeResultJson(d.payload),
      logLine: (d) => [
        { conversationId: d.conversationId, target: d.target, status: d.responseStatus, error: d.error },
        "emulator sent result",
      ],
    });
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
    this.#posts.sendLater(delivery, options);
    return delivery;
  }

  suppress(c: Conversation, payload: ResultPayload, note: string): ResultDelivery {
    return this.#record(c, payload, "result", "first", "suppressed", note);
  }

  /** Oldest first. */
  list(filter: { conversationId?: string; originatorConversationId?: string } = {}): ResultDelivery[] {
    return this.#posts.list(
      (d) =>
        (filter.conversationId === undefined || d.conversationId === filter.conversationId) &&
        (filter.originatorConversationId === undefined ||
          d.originatorConversationId === filter.originatorConversationId),
    );
  }

  /** Resolves with the first delivery (existing or future) that satisfies `predicate`. */
  waitFor(predicate: (d: ResultDelivery) => boolean, timeoutMs = 5_000): Promise<ResultDelivery> {
    return this.#posts.waitFor(predicate, timeoutMs);
  }

  clear(): void {
    this.#posts.clear();
  }

  #record(
    c: Conversation,
    payload: ResultPayload,
    target: "result" | "timeout",
    copy: "first" | "duplicate",
    status: ResultDeliveryStatus,
    note: string | null,
  ): ResultDelivery {
    return this.#posts.record({
      conversationId: c.conversationId,
      originatorConversationId: c.originatorConversationId,
      api: c.api,
      target,
      url: target === "result" ? c.resultUrl : c.queueTimeoutUrl,
      copy,
      status,
      note,
      payload,
    });
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

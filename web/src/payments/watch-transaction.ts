/**
 * Follows one payment attempt until it settles: the server's event stream first (one open
 * connection, updates the moment the callback lands), falling back to polling the status route
 * every few seconds if the stream cannot be opened or breaks.
 */
import { fetchTransaction, transactionEventsUrl } from "../api/endpoints.ts";
import type { Transaction } from "../api/types.ts";
import { isSettled } from "../lib/words.ts";
import { getSession } from "../session.ts";
import { POLL_INTERVAL_MS } from "./payment-flow.ts";

export interface WatchOptions {
  onUpdate: (transaction: Transaction) => void;
  pollIntervalMs?: number;
}

/** Starts watching; the returned function stops everything (stream, timers, requests). */
export function watchTransaction(transactionId: string, options: WatchOptions): () => void {
  const interval = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  let stopped = false;
  let settled = false;
  let stream: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const abort = new AbortController();

  const deliver = (transaction: Transaction) => {
    if (stopped) return;
    if (isSettled(transaction.status)) settled = true;
    options.onUpdate(transaction);
    if (settled) stop();
  };

  const poll = async () => {
    timer = null;
    try {
      deliver(await fetchTransaction(transactionId, abort.signal));
    } catch {
      // A failed poll on a flaky connection is simply retried on the next tick.
    }
    if (!stopped && !settled) timer = setTimeout(poll, interval);
  };

  const fallBackToPolling = () => {
    stream?.close();
    stream = null;
    if (!stopped && !settled && timer === null) void poll();
  };

  const token = getSession()?.token;
  if (typeof EventSource === "function" && token) {
    stream = new EventSource(transactionEventsUrl(transactionId, token));
    stream.addEventListener("status", (event) => {
      try {
        const data = JSON.parse((event as MessageEvent<string>).data) as { transaction?: Transaction };
        if (data.transaction) deliver(data.transaction);
      } catch {
        fallBackToPolling();
      }
    });
    stream.onerror = fallBackToPolling;
  } else {
    void poll();
  }

  function stop() {
    stopped = true;
    stream?.close();
    stream = null;
    if (timer !== null) clearTimeout(timer);
    abort.abort();
  }
  return stop;
}

/**
 * Payment status changes, for live views (SSE). Fed after each committed transition. In-process
 * listeners are called directly; on PostgreSQL the changes are also sent with
 * `NOTIFY malipo_payment_events_<schema>` (those that came while the previous NOTIFY was on its way
 * go together in one) and a dedicated connection LISTENs, so a change committed by another process
 * (another API instance, its reconciler) reaches this process's listeners too.
 * The channel carries the schema so test schemas side by side do not hear each other.
 *
 * Delivery is best effort: listeners re-read the transaction, and live views also re-read it on
 * their heartbeat, so a lost notification only delays an update.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { Db } from "../db/database.ts";
import { type ChannelListener, listenOnChannel } from "../db/listen.ts";
import type { Logger } from "../logger.ts";
import type { PaymentChange } from "./context.ts";
import { PAYMENT_STATUSES, type PaymentStatus } from "./state-machine.ts";

export type PaymentChangeListener = (change: PaymentChange) => void;

export interface PaymentEventBus {
  publish(change: PaymentChange): void;
  /** Listen to one transaction's changes; returns the unsubscribe function. */
  subscribe(transactionId: string, listener: PaymentChangeListener): () => void;
  /** PostgreSQL: open the LISTEN connection (no-op on SQLite). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function paymentEventsChannel(schema: string | null): string {
  return `malipo_payment_events_${schema ?? "public"}`.slice(0, 63);
}

const NOTIFY = "SELECT pg_notify($1, $2)";
/** PostgreSQL takes payloads under 8,000 bytes. */
const MAX_PAYLOAD_BYTES = 7_500;
/** Changes waiting for a NOTIFY at most (a database that stopped answering must not fill memory). */
const MAX_WAITING = 10_000;

interface WireChange {
  transactionId?: unknown;
  status?: unknown;
}

/** `{ origin, changes }` payloads, each within PostgreSQL's limit. */
export function payloadsOf(origin: string, changes: readonly PaymentChange[]): string[] {
  const payloads: string[] = [];
  let batch: PaymentChange[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = Buffer.byteLength(JSON.stringify(change)) + 1;
    if (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(JSON.stringify({ origin, changes: batch }));
      batch = [];
      bytes = 0;
    }
    batch.push(change);
    bytes += size;
  }
  if (batch.length > 0) payloads.push(JSON.stringify({ origin, changes: batch }));
  return payloads;
}

export function createPaymentEventBus(deps: { db: Db; logger: Logger }): PaymentEventBus {
  const listeners = new Map<string, Set<PaymentChangeListener>>();
  const origin = randomBytes(8).toString("hex");
  const pool = deps.db.pgPool;
  const channel = paymentEventsChannel(deps.db.schema);
  let closed = false;

  function emit(change: PaymentChange): void {
    for (const listener of listeners.get(change.transactionId) ?? []) {
      try {
        listener(change);
      } catch (error) {
        deps.logger.error({ err: error }, "payment event listener failed");
      }
    }
  }

  function onNotification(message: pg.Notification): void {
    if (message.channel !== channel || !message.payload) return;
    try {
      const parsed = JSON.parse(message.payload) as { origin?: string; changes?: unknown } & WireChange;
      if (parsed.origin === origin) return;
      // A batch (`changes`), or one change as an older process sends it.
      const changes: WireChange[] = Array.isArray(parsed.changes) ? parsed.changes : [parsed];
      for (const change of changes) {
        if (typeof change?.transactionId !== "string") continue;
        if (!PAYMENT_STATUSES.includes(change.status as PaymentStatus)) continue;
        emit({ transactionId: change.transactionId, status: change.status as PaymentStatus });
      }
    } catch {
      deps.logger.warn({ channel }, "unreadable payment notification ignored");
    }
  }

  // While one NOTIFY is on its way, changes wait and go together in the next: under load one
  // statement carries many changes, and alone a change goes at once.
  let waiting: PaymentChange[] = [];
  let sending = false;
  function flush(): void {
    if (sending || waiting.length === 0 || !pool || closed) return;
    const batch = waiting;
    waiting = [];
    sending = true;
    Promise.all(
      payloadsOf(origin, batch).map((payload) =>
        pool.query({ name: "malipo_payment_notify", text: NOTIFY, values: [channel, payload] }),
      ),
    )
      .catch((error) => deps.logger.warn({ err: error }, "payment NOTIFY failed"))
      .finally(() => {
        sending = false;
        flush();
      });
  }

  const channelListener: ChannelListener | null = pool
    ? listenOnChannel({ pool, channel, logger: deps.logger, what: "payment events", onNotification })
    : null;

  return {
    publish(change) {
      emit(change);
      if (!pool || closed) return;
      // Best effort: past the bound (the database does not answer) the oldest are dropped; live
      // views re-read on their heartbeat.
      if (waiting.length >= MAX_WAITING) waiting.shift();
      waiting.push(change);
      flush();
    },
    subscribe(transactionId, listener) {
      let set = listeners.get(transactionId);
      if (!set) {
        set = new Set();
        listeners.set(transactionId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(transactionId) === set) listeners.delete(transactionId);
      };
    },
    async start() {
      closed = false;
      // Live views still refresh on their heartbeat while LISTEN is being retried.
      await channelListener?.start();
    },
    async close() {
      closed = true;
      await channelListener?.close();
      listeners.clear();
    },
  };
}

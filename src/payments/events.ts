/**
 * Payment status changes, for live views (SSE). Fed after each committed transition. In-process
 * listeners are called directly; on PostgreSQL each change is also sent with
 * `NOTIFY malipo_payment_events_<schema>` and a dedicated connection LISTENs, so a change committed
 * by another process (another API instance, its reconciler) reaches this process's listeners too.
 * The channel carries the schema so test schemas side by side do not hear each other.
 *
 * Delivery is best effort: listeners re-read the transaction, and live views also re-read it on
 * their heartbeat, so a lost notification only delays an update.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { Db } from "../db/database.ts";
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

const RECONNECT_MS = 2_000;

export function createPaymentEventBus(deps: { db: Db; logger: Logger }): PaymentEventBus {
  const listeners = new Map<string, Set<PaymentChangeListener>>();
  const origin = randomBytes(8).toString("hex");
  const pool = deps.db.pgPool;
  const channel = paymentEventsChannel(deps.db.schema);
  let client: pg.PoolClient | null = null;
  let closed = false;
  let reconnect: NodeJS.Timeout | null = null;

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
      const parsed = JSON.parse(message.payload) as {
        origin?: string;
        transactionId?: string;
        status?: string;
      };
      if (parsed.origin === origin || typeof parsed.transactionId !== "string") return;
      if (!PAYMENT_STATUSES.includes(parsed.status as PaymentStatus)) return;
      emit({ transactionId: parsed.transactionId, status: parsed.status as PaymentStatus });
    } catch {
      deps.logger.warn({ channel }, "unreadable payment notification ignored");
    }
  }

  async function listen(): Promise<void> {
    if (!pool || closed) return;
    const c = await pool.connect();
    c.on("notification", onNotification);
    c.on("error", (error) => {
      deps.logger.warn({ err: error }, "payment events connection lost; reconnecting");
      c.release(true);
      if (client === c) client = null;
      scheduleReconnect();
    });
    try {
      await c.query(`LISTEN "${channel}"`);
    } catch (error) {
      c.release(true);
      throw error;
    }
    client = c;
  }

  function scheduleReconnect(): void {
    if (closed || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = null;
      listen().catch((error) => {
        deps.logger.warn({ err: error }, "payment events LISTEN failed; retrying");
        scheduleReconnect();
      });
    }, RECONNECT_MS);
    reconnect.unref();
  }

  return {
    publish(change) {
      emit(change);
      if (!pool || closed) return;
      const payload = JSON.stringify({ origin, ...change });
      pool.query("SELECT pg_notify($1, $2)", [channel, payload]).catch((error) => {
        deps.logger.warn({ err: error }, "payment NOTIFY failed");
      });
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
      if (!pool || client) return;
      try {
        await listen();
      } catch (error) {
        // Live views still refresh on their heartbeat; keep trying in the background.
        deps.logger.warn({ err: error }, "payment events LISTEN failed; retrying");
        scheduleReconnect();
      }
    },
    async close() {
      closed = true;
      if (reconnect) clearTimeout(reconnect);
      reconnect = null;
      const c = client;
      client = null;
      if (c) {
        try {
          await c.query(`UNLISTEN "${channel}"`);
        } catch {
          // The connection is going away anyway.
        }
        c.release(true);
      }
      listeners.clear();
    },
  };
}

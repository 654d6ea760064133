/**
 * What wakes a delivery worker: events enqueued in this process (SQLite), and on PostgreSQL the
 * NOTIFY that `enqueueWebhookEvent` issues inside the change's transaction, which PostgreSQL sends
 * only once it commits — to every process LISTENing on the schema's channel, this one included.
 * Best effort: the worker's periodic sweep finds whatever a lost notification missed.
 */
import type pg from "pg";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { onEventEnqueued, webhookChannel } from "./outbox.ts";

export interface WakeSource {
  start(): Promise<void>;
  close(): Promise<void>;
}

const RECONNECT_MS = 2_000;

export function createWakeSource(deps: { db: Db; logger: Logger; wake: () => void }): WakeSource {
  const pool = deps.db.pgPool;
  const channel = webhookChannel(deps.db.schema);
  let client: pg.PoolClient | null = null;
  let unsubscribe: (() => void) | null = null;
  let closed = true;
  let reconnect: NodeJS.Timeout | null = null;

  async function listen(): Promise<void> {
    if (!pool || closed) return;
    const c = await pool.connect();
    c.on("notification", (message) => {
      if (message.channel === channel) deps.wake();
    });
    c.on("error", (error) => {
      deps.logger.warn({ err: error }, "webhook wake-up connection lost; reconnecting");
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
    if (closed) {
      c.release(true);
      return;
    }
    client = c;
    // Something may have been enqueued while no one was listening.
    deps.wake();
  }

  function scheduleReconnect(): void {
    if (closed || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = null;
      listen().catch((error) => {
        deps.logger.warn({ err: error }, "webhook LISTEN failed; retrying");
        scheduleReconnect();
      });
    }, RECONNECT_MS);
    reconnect.unref();
  }

  return {
    async start() {
      if (!closed) return;
      closed = false;
      if (!pool) {
        unsubscribe = onEventEnqueued(deps.wake);
        return;
      }
      try {
        await listen();
      } catch (error) {
        deps.logger.warn({ err: error }, "webhook LISTEN failed; retrying");
        scheduleReconnect();
      }
    },
    async close() {
      closed = true;
      unsubscribe?.();
      unsubscribe = null;
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
    },
  };
}

/**
 * What wakes a delivery worker: events enqueued in this process (SQLite), and on PostgreSQL the
 * NOTIFY that `enqueueWebhookEvent` issues inside the change's transaction, which PostgreSQL sends
 * only once it commits — to every process LISTENing on the schema's channel, this one included.
 * Best effort: the worker's periodic sweep finds whatever a lost notification missed.
 */
import type { Db } from "../db/database.ts";
import { listenOnChannel } from "../db/listen.ts";
import type { Logger } from "../logger.ts";
import { onEventEnqueued, webhookChannel } from "./outbox.ts";

export interface WakeSource {
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createWakeSource(deps: { db: Db; logger: Logger; wake: () => void }): WakeSource {
  const pool = deps.db.pgPool;
  const channel = webhookChannel(deps.db.schema);
  if (pool)
    return listenOnChannel({
      pool,
      channel,
      logger: deps.logger,
      what: "webhook wake-up",
      onNotification: (message) => {
        if (message.channel === channel) deps.wake();
      },
      // Something may have been enqueued while no one was listening.
      onListening: deps.wake,
    });
  let unsubscribe: (() => void) | null = null;
  return {
    async start() {
      unsubscribe ??= onEventEnqueued(deps.wake);
    },
    async close() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}

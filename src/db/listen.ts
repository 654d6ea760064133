/**
 * A PostgreSQL connection held open to LISTEN on one channel, reconnecting after it is lost. Payment
 * events and webhook wake-ups both use one; what they do with a notification is theirs.
 */
import type pg from "pg";
import type { Logger } from "../logger.ts";

export interface ChannelListener {
  /** Opens the connection; a failure is logged and retried in the background, never thrown. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const RECONNECT_MS = 2_000;

export function listenOnChannel(deps: {
  pool: pg.Pool;
  channel: string;
  logger: Logger;
  /** Names the listener in its log lines ("payment events", "webhook wake-up"). */
  what: string;
  onNotification: (message: pg.Notification) => void;
  /** Called each time LISTEN is in place again: whatever happened meanwhile was not heard. */
  onListening?: () => void;
  reconnectMs?: number;
}): ChannelListener {
  const { pool, channel, logger, what } = deps;
  let client: pg.PoolClient | null = null;
  let closed = true;
  let reconnect: NodeJS.Timeout | null = null;

  async function listen(): Promise<void> {
    if (closed) return;
    const c = await pool.connect();
    c.on("notification", deps.onNotification);
    c.on("error", (error) => {
      logger.warn({ err: error }, `${what} connection lost; reconnecting`);
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
    // Closed while LISTEN was on its way: nobody would release this connection.
    if (closed) {
      c.release(true);
      return;
    }
    client = c;
    deps.onListening?.();
  }

  function retryLater(error: unknown): void {
    logger.warn({ err: error }, `${what} LISTEN failed; retrying`);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = null;
      listen().catch(retryLater);
    }, deps.reconnectMs ?? RECONNECT_MS);
    reconnect.unref();
  }

  return {
    async start() {
      if (!closed) return;
      closed = false;
      await listen().catch(retryLater);
    },
    async close() {
      closed = true;
      if (reconnect) clearTimeout(reconnect);
      reconnect = null;
      const c = client;
      client = null;
      if (!c) return;
      try {
        await c.query(`UNLISTEN "${channel}"`);
      } catch {
        // The connection is going away anyway.
      }
      c.release(true);
    },
  };
}

/**
 * The live status stream of one payment attempt (server-sent events), and the bound on how many
 * such streams one account holds open at once.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../errors.ts";
import type { Payments } from "../../payments/payments.ts";
import { isFinal } from "../../payments/state-machine.ts";
import type { TransactionView } from "../../payments/transaction-view.ts";
import type { Actor } from "../../users/user.ts";

export const HEARTBEAT_MS = 15_000;

/**
 * Open streams an account may hold at once: a payment page holds one, a few tabs a few. Each open
 * stream keeps a connection, a subscription and a timer for as long as the payment is pending, so
 * without a bound one account could hold the process's sockets (the web app polls when refused).
 */
export const LIVE_STREAMS_PER_USER = 5;

export class StreamsPerUser {
  readonly #open = new Map<string, number>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }

  /** Counts one more open stream for `userId`, or refuses; the returned function releases it once. */
  take(userId: string): () => void {
    const open = this.#open.get(userId) ?? 0;
    if (open >= this.#max)
      throw new AppError(
        "TOO_MANY_STREAMS",
        `At most ${this.#max} live status streams at once per account; close one, or ask the status route`,
        { limit: this.#max },
      );
    this.#open.set(userId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(userId) ?? 1) - 1;
      if (left <= 0) this.#open.delete(userId);
      else this.#open.set(userId, left);
    };
  }
}

/**
 * Writes `event: status` with `{ transaction }` now and after every change (from the event bus, and
 * re-read on each heartbeat so a missed notification only delays an update), until the transaction
 * is final or the client goes away.
 */
export function streamTransactionEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: {
    payments: Payments;
    viewer: Actor;
    first: TransactionView;
    streams: Set<() => void>;
    refreshMs: number;
    /** Gives the account's stream slot back (once), when this stream ends. */
    release: () => void;
  },
): void {
  const { payments, viewer, first } = ctx;
  reply.hijack();
  const raw = reply.raw;
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) raw.setHeader(name, value);
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let last = "";
  let closed = false;
  let refreshing = false;
  let again = false;
  const send = (transaction: TransactionView) => {
    const data = JSON.stringify({ transaction });
    if (data === last) return;
    last = data;
    raw.write(`event: status\ndata: ${data}\n\n`);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    ctx.streams.delete(close);
    ctx.release();
    raw.end();
  };
  const refresh = async (): Promise<void> => {
    if (closed) return;
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        const transaction = await payments.getStatus(viewer, first.id);
        if (closed) return;
        send(transaction);
        if (isFinal(transaction.status)) close();
      } while (again && !closed);
    } catch (error) {
      request.log.warn({ err: error, transactionId: first.id }, "payment event stream stopped");
      close();
    } finally {
      refreshing = false;
    }
  };
  const unsubscribe = payments.events.subscribe(first.id, () => void refresh());
  const heartbeat = setInterval(() => {
    if (closed) return;
    raw.write(": heartbeat\n\n");
    void refresh();
  }, ctx.refreshMs);
  heartbeat.unref();
  ctx.streams.add(close);
  request.raw.on("close", close);
  send(first);
  if (isFinal(first.status)) close();
}

/**
 * Callbacks get lost; processes stop. The reconciler finds open attempts whose next check is due,
 * asks Daraja (STK Push Query) and applies the answer through the same state machine; it also
 * finishes callbacks that were stored but never decided.
 *
 * Several processes may run it at once: a row is worked on only after a lease is taken with a
 * compare-and-set (`lease_until IS NULL OR lease_until < now`), which works on SQLite and PostgreSQL.
 *
 * Attempts without a CheckoutRequestID (the push outcome was unknown and no signed callback came)
 * cannot be queried: after `unconfirmedPushWindowMs` they are marked `failed`, which frees the fee
 * for a new attempt, and put on the review list (a prompt may have gone out and been paid). A late
 * callback for one of them is still accepted once confirmed (failed + paid → completed, or a refund
 * owed if the fee was re-paid).
 */
import { randomBytes } from "node:crypto";
import type { PaymentTransactionRow } from "../db/schema.ts";
import { claimCallback, findUndecidedCallbacks } from "./callback.repository.ts";
import type { PaymentsContext } from "./context.ts";
import { applyPaymentEvent, type EventSource } from "./payment-apply.ts";
import {
  claimPayments,
  countDuePayments,
  findDuePayments,
  releasePayment,
  rescheduleCheck,
} from "./payment-schedule.repository.ts";
import { processCallback } from "./process-callback.ts";
import { settleFromDaraja } from "./settle-from-daraja.ts";
import type { PaymentEvent } from "./state-machine.ts";
import { nextBackoffCheck, reviewDeadline } from "./timings.ts";

export interface ReconcilerOptions {
  intervalMs: number;
  /** Rows read at a time (each kind); a pass reads batch after batch while whole batches are due. */
  batchSize?: number;
  leaseMs?: number;
  /** Rows worked on at once (their STK Queries overlap): about the Daraja rate per second. Default 1. */
  concurrency?: number;
}

export interface ReconcileSummary {
  /** Open attempts looked at. */
  payments: number;
  /** Of those, how many changed status. */
  settled: number;
  /** Stored callbacks finished. */
  callbacks: number;
}

export interface Reconciler {
  start(): void;
  stop(): Promise<void>;
  /** One pass, now (tests call this instead of waiting for the timer). */
  runOnce(): Promise<ReconcileSummary>;
}

/** Looks at one open attempt; true when its status changed. */
async function reconcile(ctx: PaymentsContext, row: PaymentTransactionRow): Promise<boolean> {
  const { db, clock, timings } = ctx;
  const now = clock.now();
  const created = new Date(row.created_at);
  const apply = async (event: PaymentEvent, source: EventSource) => {
    const outcome = await applyPaymentEvent(ctx, row.id, event, source);
    return outcome.applied && outcome.from !== outcome.to;
  };
  if (row.status === "initiated")
    return apply(
      { type: "push_outcome_unknown", reason: "no answer was recorded for the push" },
      "reconciler",
    );
  if (row.status !== "pending") return false;

  if (row.checkout_request_id === null) {
    // A callback still waiting to be confirmed does not hold the fee: it may be forged, and a real
    // one that is confirmed later still counts (failed + paid → completed, or a refund owed).
    if (now.getTime() - created.getTime() >= timings.unconfirmedPushWindowMs)
      return apply({ type: "push_unconfirmed" }, "reconciler");
    await rescheduleCheck(db.kysely, row.id, new Date(created.getTime() + timings.unconfirmedPushWindowMs));
    return false;
  }

  const pastDeadline = now.getTime() >= reviewDeadline(created, timings).getTime();
  const settled = await settleFromDaraja(ctx, row, { source: "query" });
  switch (settled.kind) {
    case "not_asked":
    case "undecided":
    case "ids_refused":
      return false;
    case "query_failed":
      if (pastDeadline) return apply({ type: "deadline_passed" }, "reconciler");
      await rescheduleCheck(db.kysely, row.id, nextBackoffCheck(created, now, timings));
      return false;
    case "answered": {
      const { event, outcome } = settled;
      if (pastDeadline && (event.type === "not_final" || event.type === "unrecognised"))
        return apply({ type: "deadline_passed" }, "reconciler");
      return outcome.applied && outcome.from !== outcome.to;
    }
    default: {
      const _exhaustive: never = settled;
      return _exhaustive;
    }
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function createReconciler(ctx: PaymentsContext, options: ReconcilerOptions): Reconciler {
  const { db, clock, logger, timings } = ctx;
  const owner = `rec_${randomBytes(6).toString("hex")}`;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? ctx.timings.leaseMs;
  const concurrency = Math.max(1, Math.min(batchSize, Math.floor(options.concurrency ?? 1)));
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;

  /** One due attempt, leased by this pass: reconciled, then let go. */
  async function work(row: PaymentTransactionRow, summary: ReconcileSummary): Promise<void> {
    try {
      summary.payments += 1;
      if (await reconcile(ctx, row)) summary.settled += 1;
    } catch (error) {
      logger.error({ err: error, transactionId: row.id }, "reconciler: could not reconcile a payment");
    } finally {
      await releasePayment(db.kysely, row.id, owner).catch((error: unknown) =>
        logger.error({ err: error, transactionId: row.id }, "reconciler: could not release a lease"),
      );
    }
  }

  async function runOnce(): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { payments: 0, settled: 0, callbacks: 0 };
    const now = clock.now();
    const stale = new Date(now.getTime() - timings.staleInitiatedMs);
    const until = new Date(now.getTime() + leaseMs);
    // Batch after batch while a whole batch was due, each row at most once a pass; several at a
    // time (up to the Daraja rate), so the queue toward Daraja stays full but never overflows.
    const seen = new Set<string>();
    for (;;) {
      if (ctx.daraja.congestion?.()) break;
      const due = (await findDuePayments(db.kysely, now, stale, batchSize)).filter((d) => !seen.has(d.id));
      if (due.length === 0) break;
      for (const d of due) seen.add(d.id);
      const leased = await claimPayments(
        db.kysely,
        due.map((d) => d.id),
        owner,
        now,
        until,
      );
      await eachConcurrently(leased, concurrency, (row) => work(row, summary));
      if (due.length < batchSize) break;
    }

    const receivedBefore = new Date(now.getTime() - timings.callbackRetryMs);
    const undecided = await findUndecidedCallbacks(db.kysely, now, receivedBefore, batchSize);
    await eachConcurrently(undecided, concurrency, async (cb) => {
      if (!(await claimCallback(db.kysely, cb.id, now, until))) return;
      try {
        await processCallback(ctx, cb.id, { leased: true });
        summary.callbacks += 1;
      } catch (error) {
        logger.error({ err: error, callbackId: cb.id }, "reconciler: could not process a stored callback");
      }
    });

    if (ctx.metrics) ctx.metrics.reconcilerBacklog.set(await countDuePayments(db.kysely, clock.now()));
    if (summary.payments + summary.callbacks > 0) logger.info(summary, "reconciler pass");
    return summary;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = runOnce()
        .catch((error) => logger.error({ err: error }, "reconciler pass failed"))
        .finally(() => {
          running = null;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
    runOnce,
  };
}

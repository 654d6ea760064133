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
import { findTransaction } from "./payment.repository.ts";
import { applyPaymentEvent, type EventSource } from "./payment-apply.ts";
import {
  claimPayment,
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
  /** Rows per pass (each kind). */
  batchSize?: number;
  leaseMs?: number;
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

export function createReconciler(ctx: PaymentsContext, options: ReconcilerOptions): Reconciler {
  const { db, clock, logger, timings } = ctx;
  const owner = `rec_${randomBytes(6).toString("hex")}`;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;

  async function runOnce(): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { payments: 0, settled: 0, callbacks: 0 };
    const now = clock.now();
    const stale = new Date(now.getTime() - timings.staleInitiatedMs);
    for (const due of await findDuePayments(db.kysely, now, stale, batchSize)) {
      if (!(await claimPayment(db.kysely, due.id, owner, now, new Date(now.getTime() + leaseMs)))) continue;
      try {
        const row = await findTransaction(db.kysely, due.id);
        if (!row) continue;
        summary.payments += 1;
        if (await reconcile(ctx, row)) summary.settled += 1;
      } catch (error) {
        logger.error({ err: error, transactionId: due.id }, "reconciler: could not reconcile a payment");
      } finally {
        await releasePayment(db.kysely, due.id, owner);
      }
    }

    const receivedBefore = new Date(now.getTime() - timings.callbackRetryMs);
    for (const cb of await findUndecidedCallbacks(db.kysely, now, receivedBefore, batchSize)) {
      if (!(await claimCallback(db.kysely, cb.id, now, new Date(now.getTime() + leaseMs)))) continue;
      try {
        await processCallback(ctx, cb.id, { force: true });
        summary.callbacks += 1;
      } catch (error) {
        logger.error({ err: error, callbackId: cb.id }, "reconciler: could not process a stored callback");
      }
    }

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

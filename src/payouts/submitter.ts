/**
 * The submitter: money out actually leaving. A sweep every `intervalMs` (and a committed change
 * that made an item submittable: created in auto mode, approved, retried) puts due payouts and
 * refunds on a bounded in-memory queue; a few workers take them one at a time, each under a lease
 * (`claimItem`), and do what `nextStep` says (submit-step.ts). What does not fit in the queue waits
 * for the next sweep: the database, not this queue, is the list of work.
 *
 * Several processes may run it at once, like the payments reconciler: an item is worked on only
 * after its lease is taken by compare-and-set, and every change goes through `applyEvent`.
 *
 * Each sweep also queues refunds for overpayments owed without one (escrow) and refunds whose
 * payment has learnt the receipt they waited for, and finishes Daraja notices that were stored but
 * never decided (a crash, a processing failure).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { PayoutKind } from "../db/schema.ts";
import { queueOwedRefunds } from "../escrow/escrow.ts";
import type { Logger } from "../logger.ts";
import { claimItem, findDueItems, type ItemRef, releaseItem } from "./payout.repository.ts";
import type { PayoutChange } from "./payout-apply.ts";
import { findUndecidedPayoutResults } from "./payout-results.repository.ts";
import { adoptLearntReceipts } from "./queue.ts";
import { type StepDeps, type StepOutcome, stepItem } from "./submit-step.ts";

export interface SubmitterOptions {
  intervalMs: number;
  /** Items waiting in memory at most (default 100); more wait for the next sweep. */
  queueLimit?: number;
  /** Items worked on at once (default 4); Daraja's rate limiter paces the calls themselves. */
  concurrency?: number;
  leaseMs?: number;
  /** Notices stored this long ago and still undecided are finished by the sweep (default 10 s). */
  undecidedAfterMs?: number;
}

export interface SubmitterDeps extends StepDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  onChange(listener: (change: PayoutChange) => void): () => void;
  announce(change: PayoutChange): void;
  /** Decides one stored notice (process-result.ts). */
  processResult(resultId: string): Promise<unknown>;
}

export interface SubmitSummary {
  /** Items taken from the database this sweep. */
  due: number;
  /** Refunds queued: for overpayments owed, or with the receipt they waited for. */
  refundsQueued: number;
  /** Stored notices finished. */
  notices: number;
}

export interface PayoutSubmitter {
  start(): void;
  stop(): Promise<void>;
  /** One sweep, and every item it queued worked on (tests call this instead of the timer). */
  runOnce(): Promise<SubmitSummary>;
  /** Resolves when no item is queued or being worked on. */
  whenIdle(): Promise<void>;
  /** What each item's last look did, for tests and logs. */
  readonly lastOutcomes: ReadonlyMap<string, StepOutcome>;
}

const KINDS: readonly PayoutKind[] = ["payout", "refund"];
const keyOf = (ref: ItemRef) => `${ref.kind}:${ref.id}`;

export function createPayoutSubmitter(deps: SubmitterDeps, options: SubmitterOptions): PayoutSubmitter {
  const { db, clock, logger } = deps;
  const owner = `sub_${randomBytes(6).toString("hex")}`;
  const queueLimit = options.queueLimit ?? 100;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? deps.timings.leaseMs;
  const undecidedAfterMs = options.undecidedAfterMs ?? 10_000;
  const waiting: ItemRef[] = [];
  const known = new Set<string>();
  const lastOutcomes = new Map<string, StepOutcome>();
  let active = 0;
  let idle: Array<() => void> = [];
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<unknown> | null = null;
  let unsubscribe: (() => void) | null = null;

  async function work(ref: ItemRef): Promise<void> {
    const now = clock.now();
    if (!(await claimItem(db.kysely, ref, owner, now, new Date(now.getTime() + leaseMs)))) return;
    try {
      lastOutcomes.set(keyOf(ref), await stepItem(deps, ref));
    } catch (error) {
      logger.error({ err: error, [`${ref.kind}Id`]: ref.id }, "submitter: could not work on an item");
    } finally {
      await releaseItem(db.kysely, ref, owner);
    }
  }

  function pump(): void {
    while (active < concurrency && waiting.length > 0) {
      const ref = waiting.shift() as ItemRef;
      active += 1;
      void work(ref)
        .catch((error) => logger.error({ err: error }, "submitter: lease could not be released"))
        .finally(() => {
          active -= 1;
          known.delete(keyOf(ref));
          pump();
        });
    }
    if (active === 0 && waiting.length === 0) {
      const wake = idle;
      idle = [];
      for (const resolve of wake) resolve();
    }
  }

  /** False when the queue is full: the item waits for the next sweep. */
  function enqueue(ref: ItemRef): boolean {
    const key = keyOf(ref);
    if (known.has(key)) return true;
    if (known.size >= queueLimit) return false;
    known.add(key);
    waiting.push(ref);
    pump();
    return true;
  }

  const whenIdle = () =>
    active === 0 && waiting.length === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r));

  async function runOnce(): Promise<SubmitSummary> {
    const summary: SubmitSummary = { due: 0, refundsQueued: 0, notices: 0 };
    const now = clock.now();
    const refunds = await db.kysely
      .transaction()
      .execute(async (trx) => [
        ...(await queueOwedRefunds(trx, { at: now, limit: queueLimit })),
        ...(await adoptLearntReceipts(trx, { at: now, limit: queueLimit })),
      ]);
    for (const refund of refunds) deps.announce({ kind: "refund", id: refund.id, status: refund.status });
    summary.refundsQueued = refunds.length;
    const before = new Date(now.getTime() - undecidedAfterMs);
    for (const id of await findUndecidedPayoutResults(db.kysely, now, before, queueLimit)) {
      try {
        await deps.processResult(id);
        summary.notices += 1;
      } catch (error) {
        logger.error({ err: error, resultId: id }, "submitter: could not finish a stored notice");
      }
    }
    for (const kind of KINDS) {
      const room = queueLimit - known.size;
      if (room <= 0) break;
      for (const id of await findDueItems(db.kysely, kind, now, room))
        if (enqueue({ kind, id })) summary.due += 1;
    }
    await whenIdle();
    if (summary.due + summary.refundsQueued + summary.notices > 0) logger.info(summary, "submitter sweep");
    return summary;
  }

  function schedule(): void {
    if (!started) return;
    timer = setTimeout(() => {
      timer = null;
      sweeping = runOnce()
        .catch((error) => logger.error({ err: error }, "submitter sweep failed"))
        .finally(() => {
          sweeping = null;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }

  return {
    lastOutcomes,
    whenIdle,
    runOnce,
    start() {
      if (started) return;
      started = true;
      // A change that made an item submittable is worked on at once, not at the next sweep.
      unsubscribe = deps.onChange((change) => {
        if (change.status === "queued") enqueue({ kind: change.kind, id: change.id });
      });
      schedule();
    },
    async stop() {
      started = false;
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearTimeout(timer);
      timer = null;
      if (sweeping) await sweeping;
      await whenIdle();
    },
  };
}

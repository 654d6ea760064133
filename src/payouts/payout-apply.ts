/**
 * THE single path by which a payout or refund changes: read the row, ask the pure state machine,
 * then in ONE database transaction compare-and-set the row, post the ledger transfer and append
 * the event. A lost compare-and-set rolls everything back and re-runs on the fresh row, where the
 * same fact is then a duplicate: two deliveries of one result can never both move money.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import type { Executor, PayoutStatus } from "../db/schema.ts";
import { postTransfer } from "../ledger/ledger.ts";
import type { Logger } from "../logger.ts";
import { countPayoutStatus, type Metrics } from "../metrics.ts";
import { enqueuePayoutWebhooks } from "../webhooks/producers.ts";
import {
  findItem,
  guardOf,
  type Item,
  type ItemRef,
  insertPayoutEvent,
  updateItemIf,
} from "./payout.repository.ts";
import { actorOf, contextFor, describeEvent, patchFor } from "./payout-patch.ts";
import { isRejection, type PayoutEffect, type PayoutEvent, transition } from "./state-machine.ts";
import type { PayoutTimings } from "./timings.ts";

/** Where an event came from: our submit call, a Daraja notice, the submitter's clock, or an admin. */
export type PayoutEventSource = "submit" | "result" | "timeout" | "status" | "submitter" | "admin";

export type PayoutApplyOutcome =
  | { applied: true; from: PayoutStatus; to: PayoutStatus; duplicate: boolean; note: string; item: Item }
  | { applied: false; reason: string; item: Item | null };

/** A committed change, for whoever submits or shows payouts. */
export interface PayoutChange {
  kind: ItemRef["kind"];
  id: string;
  status: PayoutStatus;
}

export interface PayoutApplyDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  timings: PayoutTimings;
  metrics?: Metrics | undefined;
  /** Called after commit for every applied, non-duplicate transition. */
  onChange(change: PayoutChange): void;
}

class LostRace extends Error {}

const MAX_ATTEMPTS = 4;

export async function applyPayoutEvent(
  deps: PayoutApplyDeps,
  ref: ItemRef,
  event: PayoutEvent,
  source: PayoutEventSource,
): Promise<PayoutApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await deps.db.kysely
        .transaction()
        .execute((trx) => applyOnce(deps, trx, ref, event, source));
      if (outcome.applied) {
        if (!outcome.duplicate) {
          if (outcome.from !== outcome.to && deps.metrics)
            countPayoutStatus(deps.metrics, ref.kind, outcome.to);
          deps.onChange({ kind: ref.kind, id: ref.id, status: outcome.to });
        }
        deps.logger.info(
          {
            [`${ref.kind}Id`]: ref.id,
            event: event.type,
            source,
            from: outcome.from,
            to: outcome.to,
            duplicate: outcome.duplicate,
          },
          `${ref.kind} ${outcome.note}`,
        );
      } else
        deps.logger.info(
          { [`${ref.kind}Id`]: ref.id, event: event.type, source },
          `${ref.kind} event refused: ${outcome.reason}`,
        );
      return outcome;
    } catch (error) {
      if (error instanceof LostRace && attempt < MAX_ATTEMPTS) continue;
      // Daraja's ids and receipts identify one movement: never two of our items.
      if (isUniqueViolation(error)) {
        const item = await findItem(deps.db.kysely, ref);
        return { applied: false, reason: "these Daraja ids or receipt belong to another item", item };
      }
      throw error;
    }
  }
}

async function applyOnce(
  deps: PayoutApplyDeps,
  trx: Executor,
  ref: ItemRef,
  event: PayoutEvent,
  source: PayoutEventSource,
): Promise<PayoutApplyOutcome> {
  const item = await findItem(trx, ref);
  if (!item) return { applied: false, reason: `no such ${ref.kind}`, item: null };
  const row = item.row;
  const t = transition(row.status, event, contextFor(item));
  if (isRejection(t)) return { applied: false, reason: t.rejected, item };

  const now = deps.clock.now();
  if (!t.duplicate || t.effects.length > 0) {
    if (!(await updateItemIf(trx, ref, guardOf(row), patchFor(row, t, now, deps.timings))))
      throw new LostRace();
    for (const effect of t.effects) await performEffect(deps, trx, item, effect, now);
  }
  await insertPayoutEvent(trx, {
    ref,
    type: event.type,
    from: row.status,
    to: t.to,
    actorId: actorOf(event),
    data: { source, note: t.note, duplicate: t.duplicate, ...describeEvent(event) },
    at: now,
  });
  const updated = (await findItem(trx, ref)) ?? item;
  // Webhooks for this change, in its transaction (src/webhooks): delivered only if it commits.
  await enqueuePayoutWebhooks(trx, { from: row.status, item: updated, at: now });
  return { applied: true, from: row.status, to: t.to, duplicate: t.duplicate, note: t.note, item: updated };
}

/** The money of one payout or refund leaves the books once, whatever happens to it before. */
export const settledKey = (ref: ItemRef) => `${ref.kind}-paid:${ref.id}`;

async function performEffect(
  deps: PayoutApplyDeps,
  trx: Executor,
  item: Item,
  effect: PayoutEffect,
  at: Date,
) {
  switch (effect.type) {
    case "settle":
      await postTransfer(trx, {
        key: settledKey({ kind: item.kind, id: item.row.id }),
        kind: item.kind === "payout" ? "payout_paid" : "refund_paid",
        debit: effect.account,
        credit: "mpesa_clearing",
        amount: effect.amount,
        transactionId: item.kind === "refund" ? item.row.transaction_id : null,
        bookingFeeId: item.row.booking_fee_id,
        at,
      });
      return;
    case "alert_insufficient_funds":
      deps.metrics?.payoutInsufficientFundsTotal.inc({ kind: item.kind });
      deps.logger.warn({ [`${item.kind}Id`]: item.row.id }, "B2C utility account lacks funds; kept queued");
      return;
    case "record_contradiction":
      deps.logger.warn(
        { [`${item.kind}Id`]: item.row.id, reason: effect.reason },
        "contradicting result recorded",
      );
      return;
    case "record_approval":
    case "record_submission":
    case "record_result":
    case "record_failure":
    case "count_failure":
    case "requeue":
    case "forget_submit_start":
    case "schedule_check":
    case "record_decision":
      return;
    default: {
      const _exhaustive: never = effect;
      return _exhaustive;
    }
  }
}

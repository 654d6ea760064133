/**
 * Deciding a stored Daraja notice: in the background right after it was answered, or later by the
 * submitter's sweep. Its item is read, the notice turned into an event (result-events.ts) and
 * applied through the one path that changes an item; the outcome becomes the notice's verdict:
 * `accepted`, `duplicate` (nothing new: harmless), or `rejected` with the reason. A notice about a
 * send whose answer we have not recorded yet (the result can beat the acceptance) waits, undecided,
 * until the submitter has recorded it (`finishWaitingResults`). A processing
 * failure leaves it `received` for the sweep; after MAX_PROCESSING_FAILURES it is rejected (its
 * item is then settled by Transaction Status like any item whose result never came).
 */
import type { CallbackVerdict, PayoutKind, PayoutResultRoute, PayoutResultRow } from "../db/schema.ts";
import { findItem, type ItemRef } from "./payout.repository.ts";
import type { PayoutEventSource } from "./payout-apply.ts";
import {
  claimPayoutResult,
  countPayoutResultFailure,
  decidePayoutResult,
  deferPayoutResult,
  findPayoutResult,
  findUndecidedResultsOf,
} from "./payout-results.repository.ts";
import { meaningOf } from "./result-events.ts";
import { MAX_PROCESSING_FAILURES, type ResultsContext } from "./results-context.ts";

const SOURCES: Readonly<Record<PayoutResultRoute, PayoutEventSource>> = {
  b2c_result: "result",
  reversal_result: "result",
  b2c_timeout: "timeout",
  reversal_timeout: "timeout",
  status_result: "status",
  status_timeout: "status",
};

async function decide(
  ctx: ResultsContext,
  row: PayoutResultRow,
  verdict: Exclude<CallbackVerdict, "received">,
  reason: string,
): Promise<CallbackVerdict> {
  if (await decidePayoutResult(ctx.db.kysely, row.id, verdict, reason, ctx.clock.now())) {
    const log = verdict === "rejected" ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
    log(
      { resultId: row.id, route: row.route, [`${row.item_kind}Id`]: row.item_id, verdict, reason },
      `payout notice ${verdict}`,
    );
  }
  return verdict;
}

const isKind = (value: string | null): value is PayoutKind => value === "payout" || value === "refund";

/** Notices about a send (not about a status query). */
const ABOUT_A_SEND = new Set<PayoutResultRoute>([
  "b2c_result",
  "b2c_timeout",
  "reversal_result",
  "reversal_timeout",
]);

async function decideRow(ctx: ResultsContext, row: PayoutResultRow): Promise<CallbackVerdict> {
  if (row.signature_valid !== 1 || !isKind(row.item_kind) || row.item_id === null)
    return decide(ctx, row, "rejected", "Result URL signature is missing or invalid");
  const ref: ItemRef = { kind: row.item_kind, id: row.item_id };
  const item = await findItem(ctx.db.kysely, ref);
  if (!item) return decide(ctx, row, "rejected", `no such ${ref.kind}`);
  if (item.row.status === "queued" && item.row.submit_started_at !== null && ABOUT_A_SEND.has(row.route)) {
    await deferPayoutResult(ctx.db.kysely, row.id, "waiting for the send's answer to be recorded");
    return "received";
  }
  const meaning = meaningOf(row.route, row.raw_body, {
    kind: item.kind,
    conversationId: item.row.conversation_id,
    originatorConversationId: item.row.originator_conversation_id,
  });
  switch (meaning.kind) {
    case "refused":
      return decide(ctx, row, "rejected", meaning.reason);
    case "nothing":
      return decide(ctx, row, "accepted", meaning.reason);
    case "event": {
      const outcome = await ctx.apply(ref, meaning.event, SOURCES[row.route]);
      if (!outcome.applied) return decide(ctx, row, "rejected", outcome.reason);
      return decide(ctx, row, outcome.duplicate ? "duplicate" : "accepted", outcome.note);
    }
    default: {
      const _exhaustive: never = meaning;
      return _exhaustive;
    }
  }
}

/** Decides a stored notice; answers its verdict (`received` while another worker holds it). */
export async function processPayoutResult(
  ctx: ResultsContext,
  resultId: string,
  options: { force?: boolean } = {},
): Promise<CallbackVerdict> {
  const now = ctx.clock.now();
  const row = await findPayoutResult(ctx.db.kysely, resultId);
  if (!row) return "rejected";
  if (row.verdict !== "received") return row.verdict;
  if (
    !options.force &&
    !(await claimPayoutResult(ctx.db.kysely, resultId, now, new Date(now.getTime() + ctx.noticeLeaseMs)))
  )
    return "received";
  try {
    return await decideRow(ctx, row);
  } catch (error) {
    const failures = await countPayoutResultFailure(ctx.db.kysely, row.id);
    if (failures < MAX_PROCESSING_FAILURES) throw error;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
    ctx.logger.error({ err: error, resultId: row.id, failures }, "payout notice could not be processed");
    return decide(ctx, row, "rejected", `processing failed ${failures} times (${message})`);
  }
}

/** Decides the notices that waited for this item's send to be recorded (the submitter calls it). */
export async function finishWaitingResults(ctx: ResultsContext, ref: ItemRef): Promise<void> {
  // Under the lease: a notice the background is deciding right now is left to it.
  for (const id of await findUndecidedResultsOf(ctx.db.kysely, ref)) await processPayoutResult(ctx, id);
}

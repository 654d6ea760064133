/**
 * Deciding a stored callback: in the background right after it was answered, once its push
 * settled, or later by the reconciler. The cheap checks run again on the current state; an
 * attempt still `initiated` makes it wait; a success is confirmed by STK Query before it is
 * credited (when configured, and always for an attempt whose push outcome was unknown), through
 * `settleFromDaraja`; anything else goes straight through `applyPaymentEvent`.
 *
 * A callback that cannot be decided yet stays `received` (with the reason it waits and when to try
 * again); a processing failure leaves it so too, and the reconciler finishes it.
 */
import type { CallbackVerdict, MpesaCallbackRow } from "../db/schema.ts";
import {
  claimCallback,
  countCallbackFailure,
  decideCallback,
  deferCallback,
  findCallback,
  findUndecidedCallbacksFor,
} from "./callback.repository.ts";
import { checkCallback, type ParsedBody, parseCallbackBody } from "./callback-checks.ts";
import { decideCallbackVerdict, noteVerdict } from "./callback-verdict.ts";
import type { PaymentsContext } from "./context.ts";
import { findTransaction } from "./payment.repository.ts";
import { type ApplyOutcome, applyPaymentEvent } from "./payment-apply.ts";
import type { CallbackFacts } from "./payment-facts.repository.ts";
import { type DarajaResult, eventFromResult, isPaidResult, resultFromCallback } from "./payment-result.ts";
import { openReview } from "./review.repository.ts";
import { settleFromDaraja } from "./settle-from-daraja.ts";

export interface ProcessOptions {
  /**
   * Take a deferred callback before its retry time (its push just settled, say) — never one another
   * worker is deciding now.
   */
  force?: boolean;
  /** The caller holds the callback's lease already (it claimed it). */
  leased?: boolean;
  /** The body as parsed on arrival, so it is not parsed again. */
  body?: ParsedBody;
}

/**
 * Processing threw (a bug, a row the database will not take …): counted, and rethrown so the
 * reconciler tries again later; at `callbackMaxFailures` the callback is sent to review instead,
 * in one transaction with its verdict, and never retried.
 */
async function processingFailed(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  error: unknown,
): Promise<CallbackVerdict> {
  const failures = await countCallbackFailure(ctx.db.kysely, row.id);
  if (failures < ctx.timings.callbackMaxFailures) throw error;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
  const reason = `processing failed ${failures} times (${message}); sent to review`;
  const at = ctx.clock.now();
  const decided = await ctx.db.kysely.transaction().execute(async (trx) => {
    if (row.transaction_id !== null)
      await openReview(trx, {
        key: `callback:${row.id}`,
        transactionId: row.transaction_id,
        callbackId: row.id,
        reason: `callback ${row.id} could not be processed after ${failures} tries: ${message}`,
        details: {
          callbackId: row.id,
          receivedAt: row.received_at,
          checkoutRequestId: row.checkout_request_id,
          resultCode: row.result_code,
        },
        at,
      });
    return decideCallback(trx, row.id, "rejected", reason, at);
  });
  if (decided) noteVerdict(ctx, row.id, "rejected", reason);
  ctx.logger.error({ err: error, callbackId: row.id, failures }, "callback sent to review");
  return "rejected";
}

async function defer(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  reason: string,
  retryMs: number,
): Promise<CallbackVerdict> {
  const now = ctx.clock.now();
  if (now.getTime() - new Date(row.received_at).getTime() > ctx.timings.callbackGiveUpMs)
    return decideCallbackVerdict(ctx, row.id, "rejected", `never confirmed: ${reason}`);
  await deferCallback(ctx.db.kysely, row.id, reason, new Date(now.getTime() + retryMs));
  ctx.logger.info({ callbackId: row.id, reason }, "callback deferred");
  return "received";
}

function verdictOf(ctx: PaymentsContext, id: string, outcome: ApplyOutcome): Promise<CallbackVerdict> {
  if (!outcome.applied) return decideCallbackVerdict(ctx, id, "rejected", outcome.reason);
  return decideCallbackVerdict(ctx, id, outcome.duplicate ? "duplicate" : "accepted", outcome.note);
}

/** Decides a stored callback; answers its verdict (`received` while it waits). */
export async function processCallback(
  ctx: PaymentsContext,
  callbackId: string,
  options: ProcessOptions = {},
): Promise<CallbackVerdict> {
  const now = ctx.clock.now();
  const row = await findCallback(ctx.db.kysely, callbackId);
  if (!row) return "rejected";
  if (row.verdict !== "received") return row.verdict;
  // `force` (the push has settled: finish what waited for it) takes a deferred callback at once,
  // but never one another worker is deciding now — that would ask Daraja twice.
  const claimed =
    options.leased === true ||
    (await claimCallback(ctx.db.kysely, callbackId, now, new Date(now.getTime() + ctx.timings.leaseMs), {
      takeDeferred: options.force === true,
    }));
  if (!claimed) return "received";
  try {
    return await decide(ctx, row, options.body ?? parseCallbackBody(row.raw_body));
  } catch (error) {
    return processingFailed(ctx, row, error);
  }
}

/**
 * A success is confirmed by STK Query before it is credited when so configured; an attempt whose
 * push answer was lost learns its ids only from callbacks, so every callback of such an attempt,
 * failures included, is confirmed by STK Query for the ids it names, on every try.
 */
export function needsConfirmation(ctx: PaymentsContext, facts: CallbackFacts, result: DarajaResult): boolean {
  return (
    (ctx.callbacks.verify && isPaidResult(result)) ||
    facts.row.checkout_request_id === null ||
    facts.unknownPush
  );
}

async function decide(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  body: ParsedBody,
): Promise<CallbackVerdict> {
  const checked = await checkCallback(ctx, row, body);
  if (!checked.ok) return decideCallbackVerdict(ctx, row.id, "rejected", checked.error.message);
  const { facts, callback } = checked;
  if (facts.row.status === "initiated")
    return defer(ctx, row, "waiting for the push to settle", ctx.timings.callbackRetryMs);

  const result = resultFromCallback(callback);
  const claimed = eventFromResult(result);
  if (!needsConfirmation(ctx, facts, result))
    return verdictOf(ctx, row.id, await applyPaymentEvent(ctx, facts.row.id, claimed, "callback"));

  const tx = await findTransaction(ctx.db.kysely, facts.row.id);
  if (!tx) return decideCallbackVerdict(ctx, row.id, "rejected", "Callback names an unknown transaction");
  const ids = {
    merchantRequestId: callback.merchantRequestId,
    checkoutRequestId: callback.checkoutRequestId,
  };
  const settled = await settleFromDaraja(ctx, tx, { source: "query", claim: { event: claimed, ids } });
  switch (settled.kind) {
    case "not_asked":
      return defer(ctx, row, "STK Query could not be asked now", ctx.timings.callbackQueryRetryMs);
    case "query_failed":
      return defer(
        ctx,
        row,
        `STK Query failed: ${(settled.error as Error).message}`,
        ctx.timings.callbackQueryRetryMs,
      );
    case "undecided":
      // Not settled (or a code we do not know): ask again later rather than believe either side.
      return defer(ctx, row, "STK Query has no final answer yet", ctx.timings.callbackQueryRetryMs);
    case "ids_refused":
      return decideCallbackVerdict(
        ctx,
        row.id,
        "rejected",
        `Could not adopt the callback's ids: ${settled.reason}`,
      );
    case "answered": {
      if (settled.agreed) return verdictOf(ctx, row.id, settled.outcome);
      // Daraja's own answer settled the payment; the callback that disagrees is not believed.
      const code = settled.answer.kind === "final" ? settled.answer.resultCode : "not final";
      return decideCallbackVerdict(
        ctx,
        row.id,
        "rejected",
        `STK Query says ${code}; the callback's result is not confirmed`,
      );
    }
    default: {
      const _exhaustive: never = settled;
      return _exhaustive;
    }
  }
}

/** Finishes the callbacks that arrived before their push was settled. */
export async function finishWaitingCallbacks(ctx: PaymentsContext, transactionId: string): Promise<void> {
  for (const row of await findUndecidedCallbacksFor(ctx.db.kysely, transactionId))
    await processCallback(ctx, row.id, { force: true });
}

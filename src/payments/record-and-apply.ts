/**
 * The common case of a callback in ONE write transaction (shared with the callbacks that arrive
 * with it: one commit for all, src/db/write-groups.ts): read the attempt it names (one
 * statement), check the callback against it, and store the callback together with what it did —
 * refused (its verdict), applied (compare-and-set, ledger, fee, booking, event, and the callback
 * `accepted` or `duplicate`), or, when it cannot be applied at once (the push has not settled, or
 * it must be confirmed by STK Query first), `received` for `processCallback` to finish.
 *
 * Record first still holds: when anything in that transaction fails (a lost race, a receipt
 * another payment took a moment ago, a fault), nothing of it is written and this answers null;
 * the caller then stores the callback as received and it is processed the usual way, so a
 * callback is always stored before it is answered.
 */
import type { StkCallback } from "../daraja/contract.ts";
import type { CallbackVerdict, MpesaCallbackRow } from "../db/schema.ts";
import type { AppError } from "../errors.ts";
import { insertCallback, withVerdict } from "./callback.repository.ts";
import { checkAgainstPayment, namesIn } from "./callback-checks.ts";
import { noteVerdict } from "./callback-verdict.ts";
import type { PaymentsContext } from "./context.ts";
import { type ApplyOutcome, announceApplied, applyWithin, LostRace } from "./payment-apply.ts";
import { type ApplyRow, findPaymentForCallback } from "./payment-facts.repository.ts";
import { eventFromResult, resultFromCallback } from "./payment-result.ts";
import { needsConfirmation } from "./process-callback.ts";
import type { PaymentEvent } from "./state-machine.ts";

export interface Recorded {
  verdict: CallbackVerdict;
  /** The cheap checks refused it: the answer to send (403). */
  refusal: AppError | null;
}

interface Done extends Recorded {
  reason: string | null;
  applied: { event: PaymentEvent; outcome: ApplyOutcome<ApplyRow> } | null;
}

/** Stores `row` (a signed, readable callback naming `transactionId`) and applies it if it can; null when nothing was written. */
export async function recordAndApply(
  ctx: PaymentsContext,
  row: MpesaCallbackRow,
  transactionId: string,
  callback: StkCallback,
): Promise<Recorded | null> {
  const now = ctx.clock.now();
  try {
    // Callbacks that arrive together share a commit (src/db/write-groups.ts); this work is a
    // function of the database and its input, as a grouped work must be.
    const done = await ctx.db.writeGroups.run(async (trx): Promise<Done> => {
      const facts = await findPaymentForCallback(trx, transactionId, namesIn(callback));
      const refusal = checkAgainstPayment(facts, callback);
      if (refusal !== null || facts === null) {
        const reason = refusal?.message ?? null;
        await insertCallback(trx, withVerdict(row, "rejected", reason, now));
        return { verdict: "rejected", reason, refusal, applied: null };
      }
      const result = resultFromCallback(callback);
      if (facts.row.status === "initiated" || needsConfirmation(ctx, facts, result)) {
        await insertCallback(trx, row);
        return { verdict: "received", reason: null, refusal: null, applied: null };
      }
      const event = eventFromResult(result);
      const outcome = await applyWithin(ctx, trx, facts, event, "callback");
      const verdict = !outcome.applied ? "rejected" : outcome.duplicate ? "duplicate" : "accepted";
      const reason = outcome.applied ? outcome.note : outcome.reason;
      await insertCallback(trx, withVerdict(row, verdict, reason, now));
      return { verdict, reason, refusal: null, applied: { event, outcome } };
    });
    if (done.applied) announceApplied(ctx, done.applied.event, "callback", done.applied.outcome);
    if (done.verdict !== "received") noteVerdict(ctx, row.id, done.verdict, done.reason);
    return { verdict: done.verdict, refusal: done.refusal };
  } catch (error) {
    // Rolled back: the caller stores it as received and processing retries it from the start.
    if (!(error instanceof LostRace))
      ctx.logger.warn(
        { err: error, callbackId: row.id },
        "callback not applied at once; processing it later",
      );
    return null;
  }
}

/**
 * THE way an attempt is settled from Daraja's own answer: claim the query slot, ask STK Push Query,
 * turn the answer into an event, apply it. The status endpoint, a new push for the same fee, the
 * reconciler and callback confirmation all come through here.
 *
 * The slot (`last_queried_at`) keeps processes from asking about one attempt more than once per
 * `statusQueryMinIntervalMs`; a callback to confirm is a new fact, so it asks at once.
 */
import type { StkQueryResult } from "../daraja/contract.ts";
import type { PaymentTransactionRow } from "../db/schema.ts";
import type { PaymentsContext } from "./context.ts";
import { findTransaction } from "./payment.repository.ts";
import { type ApplyOutcome, applyPaymentEvent } from "./payment-apply.ts";
import { eventFromResult, resultFromQuery } from "./payment-result.ts";
import { claimQuerySlot } from "./payment-schedule.repository.ts";
import type { PaymentEvent } from "./state-machine.ts";

/**
 * What a callback claims happened. Daraja's answer decides: when it agrees, the claim is applied (it
 * carries the receipt, phone and date); when it differs, Daraja's answer is applied; when Daraja has
 * no final answer yet, nothing is applied.
 */
export interface CallbackClaim {
  event: PaymentEvent;
  /**
   * The ids the callback names, for an attempt that never learnt its own (the push answer was
   * lost). Daraja is asked about them, and they become the attempt's only once it gives a final
   * answer for them: made-up ids are never adopted.
   */
  ids: { merchantRequestId: string; checkoutRequestId: string } | null;
}

export interface SettleOptions {
  /** Recorded on the event: the status endpoint, or any other query. */
  source: "status" | "query";
  claim?: CallbackClaim;
}

export type Settlement =
  /** Not asked: no CheckoutRequestID to ask about, someone else asked a moment ago, or the queue toward Daraja is full. */
  | { kind: "not_asked"; transaction: PaymentTransactionRow }
  | { kind: "query_failed"; error: unknown; transaction: PaymentTransactionRow }
  /** A claim was checked, but Daraja has no final answer yet (still processing, or a code we do not know). */
  | { kind: "undecided"; answer: StkQueryResult; transaction: PaymentTransactionRow }
  /** Daraja answered for the claimed ids, but they could not become the attempt's. */
  | { kind: "ids_refused"; reason: string; transaction: PaymentTransactionRow }
  | {
      kind: "answered";
      answer: StkQueryResult;
      /** Daraja's answer as an event. */
      event: PaymentEvent;
      /** A claim was made and Daraja's answer agreed with it (the claim was applied). */
      agreed: boolean;
      outcome: ApplyOutcome;
      transaction: PaymentTransactionRow;
    };

const undecided = (event: PaymentEvent) => event.type === "not_final" || event.type === "unrecognised";

export async function settleFromDaraja(
  ctx: PaymentsContext,
  tx: PaymentTransactionRow,
  options: SettleOptions,
): Promise<Settlement> {
  const { claim } = options;
  const candidate = tx.checkout_request_id === null ? (claim?.ids ?? null) : null;
  const checkoutRequestId = tx.checkout_request_id ?? candidate?.checkoutRequestId ?? null;
  if (checkoutRequestId === null) return { kind: "not_asked", transaction: tx };
  // The queue toward Daraja is full: ask later (the reconciler, or the callback's next try).
  if (ctx.daraja.congestion?.()) return { kind: "not_asked", transaction: tx };
  const minIntervalMs = claim ? 0 : ctx.timings.statusQueryMinIntervalMs;
  if (!(await claimQuerySlot(ctx.db.kysely, tx.id, ctx.clock.now(), minIntervalMs)))
    return { kind: "not_asked", transaction: (await findTransaction(ctx.db.kysely, tx.id)) ?? tx };

  let answer: StkQueryResult;
  try {
    answer = await ctx.daraja.stkQuery(checkoutRequestId);
  } catch (error) {
    ctx.logger.warn({ err: error, transactionId: tx.id, source: options.source }, "STK Query failed");
    return { kind: "query_failed", error, transaction: tx };
  }
  const event = eventFromResult(resultFromQuery(answer));
  if (claim && undecided(event)) return { kind: "undecided", answer, transaction: tx };
  if (candidate !== null) {
    const refused = await adoptIds(ctx, tx, candidate, answer);
    if (refused !== null) return refused;
  }
  const agreed = claim !== undefined && claim.event.type === event.type;
  const outcome = agreed
    ? await applyPaymentEvent(ctx, tx.id, claim.event, "callback")
    : await applyPaymentEvent(ctx, tx.id, event, claim ? "query" : options.source);
  return { kind: "answered", answer, event, agreed, outcome, transaction: outcome.transaction ?? tx };
}

/** Daraja gave a final answer for the candidate ids: they become the attempt's (null), or why not. */
async function adoptIds(
  ctx: PaymentsContext,
  tx: PaymentTransactionRow,
  ids: NonNullable<CallbackClaim["ids"]>,
  answer: StkQueryResult,
): Promise<Settlement | null> {
  if (
    answer.kind === "final" &&
    answer.merchantRequestId !== "" &&
    answer.merchantRequestId !== ids.merchantRequestId
  )
    return { kind: "ids_refused", reason: "STK Query names another MerchantRequestID", transaction: tx };
  const adopted = await applyPaymentEvent(ctx, tx.id, { type: "ids_adopted", ...ids }, "callback");
  if (adopted.applied) return null;
  // Another copy of the same callback adopted these very ids a moment ago: carry on as its duplicate.
  const now = adopted.transaction ?? (await findTransaction(ctx.db.kysely, tx.id));
  if (now?.checkout_request_id === ids.checkoutRequestId && now.merchant_request_id === ids.merchantRequestId)
    return null;
  return { kind: "ids_refused", reason: adopted.reason, transaction: now ?? tx };
}

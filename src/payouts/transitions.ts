/**
 * The building blocks of the payout/refund transitions (PURE): the moves several states share, so
 * each rule (how to succeed, fail, go to review, retry) is written once.
 */
import {
  MAX_FAILURES,
  type PayoutContext,
  type PayoutEffect,
  type PayoutEvent,
  type PayoutStatus,
  payableAccount,
  type Rejection,
  type Transition,
} from "./payout-events.ts";
import { checkResult, type ResultFacts } from "./result-check.ts";

export const move = (to: PayoutStatus, note: string, ...effects: PayoutEffect[]): Transition => ({
  to,
  effects,
  duplicate: false,
  note,
});
export const same = (to: PayoutStatus, note: string): Transition => ({
  to,
  effects: [],
  duplicate: true,
  note,
});
export const reject = (reason: string): Rejection => ({ rejected: reason });

export function submission(event: Extract<PayoutEvent, { type: "submit_accepted" }>): PayoutEffect {
  return {
    type: "record_submission",
    conversationId: event.conversationId,
    originatorConversationId: event.originatorConversationId,
  };
}

/** Not the recipient's failure: queued again, as a fresh attempt (its OriginatorConversationID was used). */
export function insufficientFunds(event: Extract<PayoutEvent, { type: "insufficient_funds" }>): Transition {
  return move(
    "queued",
    "insufficient funds in the B2C utility account; kept queued",
    { type: "record_result", resultCode: event.resultCode, resultDesc: event.resultDesc, receipt: null },
    { type: "requeue" },
    { type: "alert_insufficient_funds" },
    { type: "schedule_check", when: "funds_retry" },
  );
}

export function succeed(
  ctx: PayoutContext,
  facts: ResultFacts,
  note: string,
  requireAmount: boolean,
): Transition {
  const mismatch = checkResult(facts, ctx, { requireAmount });
  if (mismatch !== null) return review(`result does not match what we sent: ${mismatch}`, facts);
  const adopt: PayoutEffect[] =
    ctx.conversationId === null && facts.conversationId !== null && facts.originatorConversationId !== null
      ? [
          {
            type: "record_submission",
            conversationId: facts.conversationId,
            originatorConversationId: facts.originatorConversationId,
          },
        ]
      : [];
  return move(
    "succeeded",
    note,
    ...adopt,
    {
      type: "record_result",
      resultCode: facts.resultCode,
      resultDesc: facts.resultDesc,
      receipt: facts.receipt,
    },
    { type: "settle", account: payableAccount(ctx.kind), amount: ctx.amount },
  );
}

export function resultFailure(ctx: PayoutContext, facts: ResultFacts): Transition {
  if (
    idsDiffer(facts.conversationId, ctx.conversationId) ||
    idsDiffer(facts.originatorConversationId, ctx.originatorConversationId)
  )
    return review("a failure result for other Daraja ids", facts);
  return failOrReview(ctx, `M-Pesa result ${facts.resultCode}: ${facts.resultDesc}`, {
    type: "record_result",
    resultCode: facts.resultCode,
    resultDesc: facts.resultDesc,
    receipt: null,
  });
}

/** A definitive failure: `failed` (money stays payable), or `needs_review` after MAX_FAILURES. */
export function failOrReview(ctx: PayoutContext, reason: string, result: PayoutEffect): Transition {
  const exhausted = ctx.failures + 1 >= MAX_FAILURES;
  return move(
    exhausted ? "needs_review" : "failed",
    exhausted ? `${reason}; failed ${MAX_FAILURES} times, a person decides` : reason,
    result,
    { type: "record_failure", reason },
    { type: "count_failure" },
  );
}

export function review(reason: string, facts?: ResultFacts): Transition {
  const effects: PayoutEffect[] = facts
    ? [{ type: "record_result", resultCode: facts.resultCode, resultDesc: facts.resultDesc, receipt: null }]
    : [];
  return move("needs_review", reason, ...effects, { type: "record_failure", reason });
}

export function contradiction(reason: string): Transition {
  return move("succeeded", `${reason}; recorded for a person, money not moved`, {
    type: "record_contradiction",
    reason,
  });
}

export function retry(event: Extract<PayoutEvent, { type: "admin_retry" }>): Transition {
  return move(
    "queued",
    "retried by an admin",
    { type: "record_decision", adminId: event.adminId, note: event.note },
    { type: "requeue" },
  );
}

export function resolveSucceeded(
  event: Extract<PayoutEvent, { type: "admin_resolve" }>,
  ctx: PayoutContext,
): Transition {
  return move(
    "succeeded",
    "resolved by an admin: the money reached the recipient",
    { type: "record_decision", adminId: event.adminId, note: event.note },
    { type: "settle", account: payableAccount(ctx.kind), amount: ctx.amount },
  );
}

export function idsDiffer(reported: string | null, ours: string | null): boolean {
  return reported !== null && ours !== null && reported !== ours;
}

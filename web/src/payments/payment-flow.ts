/**
 * The payment modal's steps as a pure reducer, so every path (sent, refused, paid, failed, no answer
 * yet, try again) is one testable function and the component only renders it.
 *
 *   form ──submit──▶ sending ──accepted──▶ waiting ──update(completed)──▶ paid
 *    ▲                  │                    │  └──update(failed)───────▶ failed ──retry──▶ form
 *    └──── refused ─────┘                    └──timeout (60 s)──▶ unheard ──update(final)──▶ paid | failed | review
 */
import type { Transaction } from "../api/types.ts";
import { describeFailure } from "../lib/words.ts";

/** How long the modal watches closely before saying it has not heard back yet. */
export const WATCH_LIMIT_MS = 60_000;
/** Poll interval when the event stream is unavailable. */
export const POLL_INTERVAL_MS = 3_000;

export type PaymentStep =
  | { step: "form"; problem: string | null }
  | { step: "sending" }
  | { step: "waiting"; transactionId: string; transaction: Transaction | null }
  | { step: "unheard"; transactionId: string; transaction: Transaction | null }
  | { step: "paid"; transaction: Transaction }
  | { step: "failed"; transaction: Transaction; reason: string }
  | { step: "review"; transaction: Transaction };

export type PaymentEvent =
  | { type: "submit" }
  | { type: "accepted"; transactionId: string }
  | { type: "refused"; problem: string | null }
  | { type: "update"; transaction: Transaction }
  | { type: "timeout" }
  | { type: "retry" };

export const INITIAL_STEP: PaymentStep = { step: "form", problem: null };

export function paymentReducer(state: PaymentStep, event: PaymentEvent): PaymentStep {
  switch (event.type) {
    case "submit":
      return state.step === "form" ? { step: "sending" } : state;
    case "accepted":
      return state.step === "sending"
        ? { step: "waiting", transactionId: event.transactionId, transaction: null }
        : state;
    case "refused":
      return state.step === "sending" ? { step: "form", problem: event.problem } : state;
    case "update":
      if (state.step !== "waiting" && state.step !== "unheard") return state;
      if (event.transaction.id !== state.transactionId) return state;
      return settle(state, event.transaction);
    case "timeout":
      return state.step === "waiting" ? { ...state, step: "unheard" } : state;
    case "retry":
      return state.step === "failed" ? { step: "form", problem: null } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function settle(
  state: Extract<PaymentStep, { step: "waiting" | "unheard" }>,
  transaction: Transaction,
): PaymentStep {
  switch (transaction.status) {
    case "initiated":
    case "pending":
      return { ...state, transaction };
    case "completed":
      return { step: "paid", transaction };
    case "failed":
      return { step: "failed", transaction, reason: describeFailure(transaction) };
    case "needs_review":
      return { step: "review", transaction };
    default: {
      const _exhaustive: never = transaction.status;
      return _exhaustive;
    }
  }
}

/** An STK Push request that was sent but got no answer: re-sending it must reuse its key. */
export interface UnansweredRequest {
  idempotencyKey: string;
  body: string;
}

/**
 * The Idempotency-Key for sending `body`: the unanswered request's key when this is the same request
 * again (so the server answers it once), otherwise a fresh one (a new attempt).
 */
export function idempotencyKeyFor(
  unanswered: UnansweredRequest | null,
  body: string,
  freshKey: () => string,
): UnansweredRequest {
  if (unanswered && unanswered.body === body) return unanswered;
  return { idempotencyKey: freshKey(), body };
}

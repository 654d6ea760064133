/**
 * How long the payment service waits for what, and how much it allows. Defaults follow payments.md: first status query
 * about 30 s after the push, then backing off up to 24 h, then review. Tests shrink them.
 */
export interface PaymentTimings {
  /** First STK Query after Daraja accepted the push. */
  firstCheckMs: number;
  /** Intervals between later queries; the last one repeats until the review deadline. */
  backoffMs: readonly number[];
  /** An attempt still without a final answer this long after it was created goes to review. */
  reviewAfterMs: number;
  /**
   * An attempt whose push outcome was unknown and that never learnt a CheckoutRequestID is marked
   * failed after this long (Daraja sends the no-answer callback about 30–60 s after the push).
   */
  unconfirmedPushWindowMs: number;
  /** An attempt still `initiated` after this long lost its push (process died): treat the outcome as unknown. */
  staleInitiatedMs: number;
  /** The status endpoint asks Daraja about a pending attempt older than this… */
  statusQueryAfterMs: number;
  /** …at most once per this interval per attempt (across processes). */
  statusQueryMinIntervalMs: number;
  /** A stored callback still undecided after this long is finished by the reconciler. */
  callbackRetryMs: number;
  /** A callback whose confirming STK Query failed or was not final is decided again after this long. */
  callbackQueryRetryMs: number;
  /** A callback that could not be confirmed for this long is rejected. */
  callbackGiveUpMs: number;
  /** A callback whose processing failed this many times is sent to review (and no longer retried). */
  callbackMaxFailures: number;
  /** Unsigned (or wrongly signed) callbacks heard per source address per minute, per process; more: 429, not stored. */
  invalidCallbacksPerAddressPerMinute: number;
  /** What is kept of the body of a callback refused on arrival (unsigned, or unreadable); its size is recorded. */
  invalidCallbackBodyChars: number;
  /** Prompts one account may send to one phone per minute. */
  promptsPerPhonePerMinute: number;
  /** Different phones one account may prompt in 24 h. */
  phonesPerAccountPerDay: number;
  /**
   * Prompts a phone may receive in 24 h from accounts that have never paid from it, all together
   * (an account that has paid from the phone is neither counted nor held back).
   */
  strangerPromptsPerPhonePerDay: number;
  /** How long a repeat of an in-flight Idempotency-Key waits for the first answer. */
  idempotencyWaitMs: number;
  /**
   * A claim on an attempt (the reconciler asking about it) or a callback (being decided): longer
   * than a call to Daraja can take; a crashed process's claims wait this out.
   */
  leaseMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * `scale` (MALIPO_TIME_SCALE, emulator mode only) shortens every wait for runs against a
 * time-compressed emulator; a wait that must outlast a push in flight keeps the push timeout whole.
 */
export function defaultTimings(pushTimeoutMs: number, scale = 1): PaymentTimings {
  const s = (ms: number) => Math.round(ms * scale);
  return {
    firstCheckMs: s(30 * SECOND),
    backoffMs: [
      1 * MINUTE,
      2 * MINUTE,
      5 * MINUTE,
      10 * MINUTE,
      30 * MINUTE,
      HOUR,
      2 * HOUR,
      4 * HOUR,
      8 * HOUR,
    ].map(s),
    reviewAfterMs: s(24 * HOUR),
    unconfirmedPushWindowMs: s(3 * MINUTE),
    staleInitiatedMs: pushTimeoutMs + s(MINUTE),
    statusQueryAfterMs: s(10 * SECOND),
    statusQueryMinIntervalMs: s(5 * SECOND),
    callbackRetryMs: s(5 * SECOND),
    callbackQueryRetryMs: s(30 * SECOND),
    callbackGiveUpMs: s(24 * HOUR),
    callbackMaxFailures: 10,
    invalidCallbacksPerAddressPerMinute: 60,
    invalidCallbackBodyChars: 4_096,
    promptsPerPhonePerMinute: 5,
    phonesPerAccountPerDay: 5,
    strangerPromptsPerPhonePerDay: 10,
    idempotencyWaitMs: pushTimeoutMs + s(5 * SECOND),
    leaseMs: Math.max(s(MINUTE), 4 * pushTimeoutMs),
  };
}

/**
 * The next query time after `now` on the schedule anchored at `createdAt`: createdAt + first check,
 * then + each backoff interval; never later than the review deadline.
 */
export function nextBackoffCheck(createdAt: Date, now: Date, t: PaymentTimings): Date {
  const deadline = createdAt.getTime() + t.reviewAfterMs;
  let at = createdAt.getTime() + t.firstCheckMs;
  let i = 0;
  while (at <= now.getTime() && at < deadline) {
    const step = t.backoffMs[Math.min(i, t.backoffMs.length - 1)] ?? t.firstCheckMs;
    at += step;
    i += 1;
  }
  return new Date(Math.min(at, deadline));
}

export function reviewDeadline(createdAt: Date, t: PaymentTimings): Date {
  return new Date(createdAt.getTime() + t.reviewAfterMs);
}

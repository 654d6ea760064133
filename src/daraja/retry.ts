/**
 * Bounded retries with jittered exponential backoff, for calls that are safe to repeat (the
 * `retry` operations of `operations.ts`: the OAuth token and queries). Anything that may act once
 * sent (STK Push) is never retried here: Daraja has no idempotency key.
 */
import { DarajaError, type DarajaOperation } from "./errors.ts";
import { retriedAutomatically } from "./operations.ts";
import type { Sleep } from "./rate-limiter.ts";

export interface RetrySettings {
  /** Total attempts, including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 4_000 };

/** A number in [0, 1); injected so tests get the same delays every run. */
export type Random = () => number;

/**
 * Delay before retry number `retry` (1 for the first retry): "equal jitter" — half the exponential
 * step plus a random half, so retries spread out but never collapse to zero.
 */
export function backoffDelay(retry: number, settings: RetrySettings, random: Random): number {
  const step = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (r * step) / 2);
}

export interface RetryContext {
  /** Only failures of this operation are retried (a query does not re-retry a token failure). */
  operation: DarajaOperation;
  settings: RetrySettings;
  random: Random;
  sleep: Sleep;
  onRetry?: (error: DarajaError, retry: number, delayMs: number) => void;
}

/** Runs `attempt` until it succeeds, fails for good, or the attempts run out. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, context: RetryContext): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(context.settings.maxAttempts));
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const retryable =
        error instanceof DarajaError &&
        error.retryable &&
        error.kind !== "outcome_unknown" &&
        error.operation === context.operation &&
        retriedAutomatically(context.operation);
      if (!retryable || n >= maxAttempts) throw error;
      const delay = Math.max(backoffDelay(n, context.settings, context.random), error.retryAfterMs ?? 0);
      context.onRetry?.(error, n, delay);
      await context.sleep(delay);
    }
  }
}

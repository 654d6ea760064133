/**
 * A token bucket per Daraja client, so a burst of pushes and queries queues here instead of tripping
 * Daraja's spike arrest (500.003.02). Safaricom publishes no TPS figure, so the defaults are modest;
 * set them from what your app is granted. Waiters are served first come, first served.
 */
import type { Clock } from "../clock.ts";

export interface RateLimitSettings {
  /** Requests that may go out at once after a quiet period. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { burst: 5, perSecond: 5 };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
  /** Takes a token if one is available now; otherwise returns how many ms until one will be. */
  tryAcquire(): { granted: true } | { granted: false; waitMs: number };
}

export function createRateLimiter(
  settings: RateLimitSettings,
  clock: Clock,
  sleep: Sleep = realSleep,
): RateLimiter {
  if (!(settings.burst >= 1) || !Number.isFinite(settings.burst))
    throw new RangeError("rate limit burst must be a number ≥ 1");
  if (!(settings.perSecond > 0) || !Number.isFinite(settings.perSecond))
    throw new RangeError("rate limit perSecond must be a positive number");

  let tokens = settings.burst;
  let refilledAt = clock.now().getTime();
  // Each acquire waits for the one before it, which keeps the queue fair (FIFO).
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const now = clock.now().getTime();
    const elapsed = Math.max(0, now - refilledAt);
    tokens = Math.min(settings.burst, tokens + (elapsed * settings.perSecond) / 1000);
    refilledAt = now;
  }

  function tryAcquire(): { granted: true } | { granted: false; waitMs: number } {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return { granted: true };
    }
    return { granted: false, waitMs: Math.max(1, Math.ceil(((1 - tokens) * 1000) / settings.perSecond)) };
  }

  async function waitForToken(): Promise<void> {
    for (;;) {
      const attempt = tryAcquire();
      if (attempt.granted) return;
      await sleep(attempt.waitMs);
    }
  }

  return {
    tryAcquire,
    acquire() {
      const turn = queue.then(waitForToken);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

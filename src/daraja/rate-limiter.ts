/**
 * A token bucket per Daraja client, so a burst of pushes and queries queues here instead of tripping
 * Daraja's spike arrest (500.003.02). Safaricom publishes no TPS figure, so the defaults are modest;
 * set them from what your app is granted. Waiters are served first come, first served.
 *
 * The queue is bounded in time: a request that would wait more than `maxWaitMs` for its turn is
 * refused at once (`RateLimiterFull`, with when to try again), so a flood never piles up in memory.
 */
import type { Clock } from "../clock.ts";

export interface RateLimitSettings {
  /** Requests that may go out at once after a quiet period. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
  /** The longest a request may wait for its turn; a later one is refused. Default 2 s. */
  maxWaitMs?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { burst: 5, perSecond: 5 };
export const DEFAULT_MAX_WAIT_MS = 2_000;

/** The queue is full: the request would wait longer than allowed. */
export class RateLimiterFull extends Error {
  /** When there will be room again. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`Daraja requests are queued to capacity; room again in ${retryAfterMs} ms`);
    this.name = "RateLimiterFull";
    this.retryAfterMs = retryAfterMs;
  }
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateLimiter {
  /** Resolves when the caller may send one request; rejects with `RateLimiterFull` when the queue is full. */
  acquire(): Promise<void>;
  /** Null when a request would be queued now; otherwise how long until there is room. */
  congestion(): { retryAfterMs: number } | null;
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
  const maxWaitMs = settings.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  if (!(maxWaitMs >= 0)) throw new RangeError("rate limit maxWaitMs must be a number ≥ 0");

  let tokens = settings.burst;
  let refilledAt = clock.now().getTime();
  // Each acquire waits for the one before it, which keeps the queue fair (FIFO).
  let queue: Promise<void> = Promise.resolve();
  /** Requests queued and not yet let go. */
  let pending = 0;

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
    try {
      for (;;) {
        const attempt = tryAcquire();
        if (attempt.granted) return;
        await sleep(attempt.waitMs);
      }
    } finally {
      pending--;
    }
  }

  function congestion(): { retryAfterMs: number } | null {
    refill();
    // The next request needs the token after those of every request queued before it.
    const waitMs = Math.max(0, ((pending + 1 - tokens) * 1000) / settings.perSecond);
    return waitMs > maxWaitMs ? { retryAfterMs: Math.ceil(waitMs - maxWaitMs) } : null;
  }

  return {
    tryAcquire,
    congestion,
    acquire() {
      const full = congestion();
      if (full) return Promise.reject(new RateLimiterFull(full.retryAfterMs));
      pending++;
      const turn = queue.then(waitForToken);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

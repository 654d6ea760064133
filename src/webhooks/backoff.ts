/**
 * When a failed delivery is tried again (PURE). Exponential: 30 s after the first attempt, doubling
 * up to one attempt every 6 hours, each delay scaled by a random factor in [1 − jitter, 1 + jitter)
 * so receivers coming back up are not hit by every sender at once. Retries stop once the delivery is
 * `maxAgeMs` old (3 days): its last attempt is made at that moment, then it is `failed`.
 *
 * Without jitter the attempts come at 0, 30 s, 1.5, 3.5, 7.5, 15.5, 31.5, 63.5 min, 2.1, 4.3, 8.5 h,
 * then every 6 h: a receiver down for an hour gets everything within about 64 minutes of the event.
 */

export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseDelayMs: number;
  /** The longest delay between two attempts. */
  maxDelayMs: number;
  /** Retries stop after this long since the delivery was created (or resent). */
  maxAgeMs: number;
  /** 0.2: each delay is scaled by a factor in [0.8, 1.2). */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
  maxAgeMs: 3 * 86_400_000,
  jitter: 0.2,
};

/** The default policy with every delay multiplied by `scale` (MALIPO_TIME_SCALE, emulator mode only). */
export function scaledBackoff(scale: number): BackoffPolicy {
  const s = (ms: number) => Math.round(ms * scale);
  const d = DEFAULT_BACKOFF;
  return { ...d, baseDelayMs: s(d.baseDelayMs), maxDelayMs: s(d.maxDelayMs), maxAgeMs: s(d.maxAgeMs) };
}

/** The delay after failed attempt number `attempt` (1-based), before jitter. */
export function baseDelayMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new Error(`attempt must be 1 or more (got ${attempt})`);
  // 2^(attempt-1) overflows nothing: past ~20 doublings the cap has long been reached.
  const exponential = policy.baseDelayMs * 2 ** Math.min(attempt - 1, 40);
  return Math.min(exponential, policy.maxDelayMs);
}

/** The delay after failed attempt `attempt`, jittered by `random()` (a number in [0, 1)). */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const factor = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(baseDelayMs(attempt, policy) * factor);
}

/**
 * When to try again after failed attempt `attempt` made at `at`, or null when the delivery has
 * reached its deadline (`expiresAt`) and is to be marked failed. A retry never goes past the
 * deadline: the last one is made at the deadline itself.
 */
export function nextAttemptAt(input: {
  attempt: number;
  at: Date;
  expiresAt: Date;
  policy: BackoffPolicy;
  random: () => number;
}): Date | null {
  const { at, expiresAt } = input;
  if (at.getTime() >= expiresAt.getTime()) return null;
  const next = at.getTime() + retryDelayMs(input.attempt, input.policy, input.random);
  return new Date(Math.min(next, expiresAt.getTime()));
}

/** The attempt times a delivery gets if every attempt fails and each is made when due (for docs and tests). */
export function schedule(policy: BackoffPolicy, random: () => number = () => 0.5): number[] {
  const times = [0];
  const expiresAt = new Date(policy.maxAgeMs);
  for (let attempt = 1; ; attempt++) {
    const last = times[times.length - 1] as number;
    const next = nextAttemptAt({ attempt, at: new Date(last), expiresAt, policy, random });
    if (next === null) return times;
    times.push(next.getTime());
  }
}

/**
 * The retry schedule: exponential from 30 s, capped at 6 h, jittered within ±20 %, never past the
 * 3-day window, whose end gets one last attempt before the delivery is failed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  baseDelayMs,
  DEFAULT_BACKOFF,
  nextAttemptAt,
  retryDelayMs,
  schedule,
} from "../../../src/webhooks/backoff.ts";

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;

describe("the delay after a failed attempt", () => {
  it("doubles from 30 s and stops growing at 6 h", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 30].map((n) => baseDelayMs(n, DEFAULT_BACKOFF));
    expect(delays).toEqual([
      30 * S,
      MIN,
      2 * MIN,
      4 * MIN,
      8 * MIN,
      16 * MIN,
      32 * MIN,
      64 * MIN,
      128 * MIN,
      256 * MIN,
      6 * H,
      6 * H,
      6 * H,
    ]);
    expect(baseDelayMs(10_000, DEFAULT_BACKOFF)).toBe(6 * H);
  });

  it("is jittered within ±20 % of the base delay, by the injected randomness", () => {
    expect(retryDelayMs(1, DEFAULT_BACKOFF, () => 0)).toBe(24 * S);
    expect(retryDelayMs(1, DEFAULT_BACKOFF, () => 0.5)).toBe(30 * S);
    expect(retryDelayMs(1, DEFAULT_BACKOFF, () => 0.999_999)).toBe(36 * S);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const base = baseDelayMs(n, DEFAULT_BACKOFF);
          const delay = retryDelayMs(n, DEFAULT_BACKOFF, () => r);
          return delay >= Math.floor(base * 0.8) && delay <= Math.ceil(base * 1.2);
        },
      ),
    );
  });

  it("refuses an attempt number below 1", () => {
    expect(() => baseDelayMs(0, DEFAULT_BACKOFF)).toThrow(/attempt/);
  });
});

describe("the whole schedule", () => {
  const times = schedule(DEFAULT_BACKOFF);

  it("covers a receiver that is down for an hour within about 64 minutes", () => {
    expect(times.slice(0, 9)).toEqual([
      0,
      30 * S,
      90 * S,
      210 * S,
      450 * S,
      930 * S,
      1_890 * S,
      3_810 * S,
      7_650 * S,
    ]);
    const afterAnHour = times.find((t) => t >= H);
    expect(afterAnHour).toBe(3_810 * S);
  });

  it("keeps trying for 3 days, the last attempt at the end of the window, then stops", () => {
    expect(times.at(-1)).toBe(3 * 24 * H);
    expect(times.at(-2)).toBeLessThan(3 * 24 * H);
    expect(times.length).toBe(22);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.max(...gaps)).toBe(6 * H);
  });

  it("answers null once the window is over, and never schedules past it", () => {
    const start = new Date("2026-01-15T09:00:00.000Z");
    const expiresAt = new Date(start.getTime() + DEFAULT_BACKOFF.maxAgeMs);
    const random = () => 0.5;
    const at = (ms: number) => new Date(expiresAt.getTime() + ms);
    expect(nextAttemptAt({ attempt: 20, at: at(0), expiresAt, policy: DEFAULT_BACKOFF, random })).toBeNull();
    expect(nextAttemptAt({ attempt: 20, at: at(5), expiresAt, policy: DEFAULT_BACKOFF, random })).toBeNull();
    expect(nextAttemptAt({ attempt: 20, at: at(-MIN), expiresAt, policy: DEFAULT_BACKOFF, random })).toEqual(
      expiresAt,
    );
    expect(nextAttemptAt({ attempt: 1, at: start, expiresAt, policy: DEFAULT_BACKOFF, random })).toEqual(
      new Date(start.getTime() + 30 * S),
    );
  });

  it("stays within the window and ends in finitely many attempts whatever the jitter", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const jittered = schedule(DEFAULT_BACKOFF, () => r);
        return jittered.at(-1) === DEFAULT_BACKOFF.maxAgeMs && jittered.length < 40;
      }),
    );
  });
});

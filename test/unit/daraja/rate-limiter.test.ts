import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.ts";
import { createRateLimiter, RateLimiterFull } from "../../../src/daraja/rate-limiter.ts";

function setup(burst: number, perSecond: number, maxWaitMs?: number) {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const settings = { burst, perSecond, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) };
  const limiter = createRateLimiter(settings, clock, async (ms) => {
    sleeps.push(ms);
    clock.advance(ms);
  });
  return { clock, sleeps, limiter };
}

describe("token-bucket rate limiter", () => {
  it("lets a burst through at once, then makes the rest wait for refills", async () => {
    const { limiter, sleeps, clock } = setup(3, 2);
    const start = clock.now().getTime();
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.acquire().then(() => grantedAt.push(clock.now().getTime() - start)),
      ),
    );
    // 3 immediately, then one every 500 ms (2 per second).
    expect(grantedAt).toEqual([0, 0, 0, 500, 1000, 1500]);
    expect(sleeps).toEqual([500, 500, 500]);
  });

  it("serves waiters first come, first served", async () => {
    const { limiter } = setup(1, 10);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("refills with time but never above the burst size", () => {
    const { limiter, clock } = setup(2, 1);
    expect(limiter.tryAcquire()).toEqual({ granted: true });
    expect(limiter.tryAcquire()).toEqual({ granted: true });
    expect(limiter.tryAcquire()).toEqual({ granted: false, waitMs: 1000 });
    clock.advance(60_000);
    expect(limiter.tryAcquire()).toEqual({ granted: true });
    expect(limiter.tryAcquire()).toEqual({ granted: true });
    expect(limiter.tryAcquire()).toMatchObject({ granted: false });
  });

  it("reports the wait for a partly refilled token", () => {
    const { limiter, clock } = setup(1, 4);
    limiter.tryAcquire();
    clock.advance(100);
    expect(limiter.tryAcquire()).toEqual({ granted: false, waitMs: 150 });
  });

  it("refuses at once a request that would wait longer than the bound, saying when there is room", async () => {
    // 2 at once, then 1 a second, at most 1.5 s of waiting: the 3rd waits 1 s, a 4th would wait 2 s.
    const { limiter, clock } = setup(2, 1, 1_500);
    const queued = [1, 2].map(() => limiter.acquire());
    expect(limiter.congestion()).toBeNull();
    queued.push(limiter.acquire());
    expect(limiter.congestion()).toEqual({ retryAfterMs: 500 });
    const refused = await limiter.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimiterFull);
    expect((refused as RateLimiterFull).retryAfterMs).toBe(500);
    await Promise.all(queued);
    // The queue drained with time: room again.
    expect(limiter.congestion()).toBeNull();
    clock.advance(5_000);
    await limiter.acquire();
  });

  it("bounds the wait at two seconds unless told otherwise; 0 lets nobody wait", async () => {
    const { limiter } = setup(1, 1);
    const waiting = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    await expect(limiter.acquire()).rejects.toBeInstanceOf(RateLimiterFull);
    await Promise.all(waiting);
    const strict = setup(1, 1, 0).limiter;
    await strict.acquire();
    expect(strict.congestion()).toEqual({ retryAfterMs: 1_000 });
    await expect(strict.acquire()).rejects.toBeInstanceOf(RateLimiterFull);
  });

  it("rejects nonsensical settings", () => {
    const clock = new ManualClock();
    expect(() => createRateLimiter({ burst: 0, perSecond: 1 }, clock)).toThrow(/burst/);
    expect(() => createRateLimiter({ burst: 1, perSecond: 0 }, clock)).toThrow(/perSecond/);
    expect(() => createRateLimiter({ burst: 1, perSecond: 1, maxWaitMs: -1 }, clock)).toThrow(/maxWaitMs/);
  });
});

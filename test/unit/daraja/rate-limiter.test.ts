import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.ts";
import { createRateLimiter } from "../../../src/daraja/rate-limiter.ts";

function setup(burst: number, perSecond: number) {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const limiter = createRateLimiter({ burst, perSecond }, clock, async (ms) => {
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

  it("rejects nonsensical settings", () => {
    const clock = new ManualClock();
    expect(() => createRateLimiter({ burst: 0, perSecond: 1 }, clock)).toThrow(/burst/);
    expect(() => createRateLimiter({ burst: 1, perSecond: 0 }, clock)).toThrow(/perSecond/);
  });
});

/**
 * MALIPO_TIME_SCALE: read in emulator mode, refused live, and what it shortens — the payment
 * schedule (but never below the push timeout where a push may still be in flight), the payout
 * waits, the webhook retries, and the leases a crashed process leaves (never below what a call to
 * Daraja can take).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { defaultTimings } from "../../../src/payments/timings.ts";
import { DEFAULT_PAYOUT_TIMINGS, scaledPayoutTimings } from "../../../src/payouts/timings.ts";
import { DEFAULT_BACKOFF, scaledBackoff } from "../../../src/webhooks/backoff.ts";

describe("MALIPO_TIME_SCALE", () => {
  it("is 1 unless set, read in emulator mode, and refused outside (0.001–1)", () => {
    expect(loadConfig({}).timeScale).toBe(1);
    expect(loadConfig({ MALIPO_TIME_SCALE: "0.1" }).timeScale).toBe(0.1);
    expect(() => loadConfig({ MALIPO_TIME_SCALE: "2" })).toThrow(/MALIPO_TIME_SCALE must be a number from/);
    try {
      loadConfig({ MPESA_ENVIRONMENT: "sandbox", MALIPO_TIME_SCALE: "0.5" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/MALIPO_TIME_SCALE must be 1 when MPESA_ENVIRONMENT=sandbox/);
    }
  });

  it("shortens the payment schedule, keeping the push timeout whole where a push may be in flight", () => {
    const usual = defaultTimings(15_000);
    const fast = defaultTimings(15_000, 0.1);
    expect(fast.firstCheckMs).toBe(3_000);
    expect(fast.backoffMs).toEqual(usual.backoffMs.map((ms) => ms / 10));
    expect(fast.unconfirmedPushWindowMs).toBe(18_000);
    expect(fast.staleInitiatedMs).toBe(15_000 + 6_000);
    expect(fast.idempotencyWaitMs).toBe(15_000 + 500);
    expect(fast.callbackQueryRetryMs).toBe(3_000);
    // A claim outlasts a call to Daraja: never below four push timeouts.
    expect(usual.leaseMs).toBe(60_000);
    expect(fast.leaseMs).toBe(60_000);
    expect(defaultTimings(2_000, 0.1).leaseMs).toBe(8_000);
    expect(fast.promptsPerPhonePerMinute).toBe(usual.promptsPerPhonePerMinute);
    expect(defaultTimings(15_000, 1)).toEqual(usual);
  });

  it("shortens the payout waits and the webhook retries alike", () => {
    expect(scaledPayoutTimings(1)).toEqual(DEFAULT_PAYOUT_TIMINGS);
    expect(scaledPayoutTimings(0.1).resultWaitMs).toBe(18_000);
    expect(scaledPayoutTimings(0.1, 8_000)).toMatchObject({ leaseMs: 12_000, noticeLeaseMs: 8_000 });
    expect(scaledBackoff(1)).toEqual(DEFAULT_BACKOFF);
    expect(scaledBackoff(0.1)).toMatchObject({ baseDelayMs: 3_000, jitter: DEFAULT_BACKOFF.jitter });
  });
});

/**
 * How long the payouts module waits for what. B2C and reversal results usually arrive within
 * seconds; after `resultWaitMs` without one Transaction Status is asked, then every
 * `statusCheckMs`, until the 24 h deadline sends the item to a person. Tests shrink them.
 */
import type { CheckSchedule } from "./payout-events.ts";

export interface PayoutTimings {
  /** Submitted without a result this long: `result_overdue`, then Transaction Status. */
  resultWaitMs: number;
  /** Between Transaction Status queries for an item whose outcome is unknown. */
  statusCheckMs: number;
  /** A payout kept queued for lack of funds is tried again after this long. */
  fundsRetryMs: number;
  /** Submitted this long ago without a final answer: `deadline_passed` (review). */
  deadlineMs: number;
  /** A submitter's claim on an item: longer than a send can take; a crashed process's waits this out. */
  leaseMs: number;
  /** A claim on a stored Daraja notice while it is decided. */
  noticeLeaseMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_PAYOUT_TIMINGS: PayoutTimings = {
  resultWaitMs: 3 * MINUTE,
  statusCheckMs: 2 * MINUTE,
  fundsRetryMs: 30 * MINUTE,
  deadlineMs: 24 * 60 * MINUTE,
  leaseMs: 2 * MINUTE,
  noticeLeaseMs: MINUTE,
};

/**
 * The defaults with every wait multiplied by `scale` (MALIPO_TIME_SCALE, emulator mode only); a
 * lease never shorter than `minLeaseMs`, so it still outlasts a call to Daraja.
 */
export function scaledPayoutTimings(scale: number, minLeaseMs = 0): PayoutTimings {
  const s = (ms: number) => Math.round(ms * scale);
  const d = DEFAULT_PAYOUT_TIMINGS;
  return {
    resultWaitMs: s(d.resultWaitMs),
    statusCheckMs: s(d.statusCheckMs),
    fundsRetryMs: s(d.fundsRetryMs),
    deadlineMs: s(d.deadlineMs),
    leaseMs: Math.max(s(d.leaseMs), minLeaseMs),
    noticeLeaseMs: Math.max(s(d.noticeLeaseMs), minLeaseMs),
  };
}

export function checkDelayMs(when: CheckSchedule, timings: PayoutTimings): number {
  switch (when) {
    case "result_wait":
      return timings.resultWaitMs;
    case "status_check":
      return timings.statusCheckMs;
    case "funds_retry":
      return timings.fundsRetryMs;
    default: {
      const _exhaustive: never = when;
      return _exhaustive;
    }
  }
}

/** When an item in flight goes to review if no final answer came (null before it was submitted). */
export function deadlineOf(row: { submitted_at: string | null }, timings: PayoutTimings): Date | null {
  return row.submitted_at === null
    ? null
    : new Date(new Date(row.submitted_at).getTime() + timings.deadlineMs);
}

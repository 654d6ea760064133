/**
 * What receiving and processing Daraja's payout notices works with, built once by the payouts
 * wiring (payout-results.ts) and passed first to each use case.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { BackgroundWork } from "../payments/context.ts";
import type { WindowCounter } from "../payments/window-counter.ts";
import type { Secret } from "../secret.ts";
import type { ItemRef } from "./payout.repository.ts";
import type { PayoutApplyOutcome, PayoutEventSource } from "./payout-apply.ts";
import type { PayoutEvent } from "./state-machine.ts";

export interface ResultsContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** CALLBACK_SECRET: result URLs are signed with it (result-urls.ts). */
  secret: Secret;
  /** MPESA_CALLBACK_ALLOWED_IPS: when not empty, notices from other addresses are refused. */
  allowedIps: readonly string[];
  /** THE way to change an item (`PayoutsService.applyEvent`). */
  apply(ref: ItemRef, event: PayoutEvent, source: PayoutEventSource): Promise<PayoutApplyOutcome>;
  background: BackgroundWork;
  /** Unsigned notices per source address per minute. */
  invalidNotices: WindowCounter;
  /** A claim on a notice while it is decided. */
  noticeLeaseMs: number;
}

/** Unsigned notices one address may send per minute before they are answered 429 and not stored. */
export const INVALID_NOTICES_PER_ADDRESS_PER_MINUTE = 20;
/** A notice refused on arrival keeps only this much of its body. */
export const REFUSED_BODY_CHARS = 2_000;
/** After this many processing failures a stored notice is decided `rejected` (its item is asked about by Transaction Status). */
export const MAX_PROCESSING_FAILURES = 5;

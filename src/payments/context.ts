/**
 * What every payments use case works with: the database, the clock, Daraja, the timings and the
 * callback settings, built once by `createPayments` (payments.ts, the only wiring) and passed
 * first to each use case, as data functions take `db` first. Use cases call one another by name.
 */
import type { Clock } from "../clock.ts";
import type { DarajaApi } from "../daraja/contract.ts";
import type { Db } from "../db/database.ts";
import type { PaymentStatus } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Secret } from "../secret.ts";
import type { CallbackUrlConfig } from "./callback-url.ts";
import type { PaymentTimings } from "./timings.ts";
import type { WindowCounter } from "./window-counter.ts";

/** A committed change a viewer can see, for the event bus. */
export interface PaymentChange {
  transactionId: string;
  status: PaymentStatus;
}

export interface CallbackSettings {
  secret: Secret;
  /** Confirm every success by STK Query before crediting it. */
  verify: boolean;
  /** Refuse callbacks from other addresses; empty: accept any, log the address. */
  allowedIps: readonly string[];
}

/** Work that runs after an answer was sent (callback processing); tests and shutdown wait for it. */
export interface BackgroundWork {
  run(work: Promise<unknown>): void;
  whenIdle(): Promise<void>;
}

export interface PaymentsContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  daraja: DarajaApi;
  timings: PaymentTimings;
  metrics: Metrics | undefined;
  callbackUrl: CallbackUrlConfig;
  callbacks: CallbackSettings;
  background: BackgroundWork;
  /** Unsigned callbacks per source address (`invalidCallbacksPerAddressPerMinute`). */
  invalidCallbacks: WindowCounter;
  /** Called after commit for every applied transition that changed what a viewer sees. */
  onChange(change: PaymentChange): void;
}

export function createBackgroundWork(logger: Logger): BackgroundWork {
  const running = new Set<Promise<unknown>>();
  return {
    run(work) {
      const tracked = work.catch((error) =>
        logger.error({ err: error }, "callback processing failed; left for the reconciler"),
      );
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
    },
    async whenIdle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

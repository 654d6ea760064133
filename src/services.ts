/**
 * The application's services, built once from their dependencies (no container: plain functions
 * and objects). The HTTP layer, the CLI and the tests all use this one constructor.
 *
 * To add a service: create it here from `deps` (and, where it counts things, `metrics`), add its field
 * to `Services`, and read it in routes as `services.<name>`.
 */

import { type BookingLifeService, createBookingLifeService } from "./bookings/booking-life.service.ts";
import { type BookingsService, createBookingsService } from "./bookings/bookings.service.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { DarajaApi, DarajaPayoutsApi } from "./daraja/contract.ts";
import type { Db } from "./db/database.ts";
import { createLedgerMonitor, type LedgerMonitor } from "./ledger/ledger-check.ts";
import type { Logger } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createPayments, type Payments } from "./payments/payments.ts";
import type { PaymentTimings } from "./payments/timings.ts";
import { createPayoutSending, type PayoutResultHandling } from "./payouts/payout-sending.ts";
import { createPayoutsService, type PayoutsService } from "./payouts/payouts.service.ts";
import type { PayoutSubmitter } from "./payouts/submitter.ts";
import { type PayoutTimings, scaledPayoutTimings } from "./payouts/timings.ts";
import {
  createReconciliationService,
  type ReconciliationService,
} from "./reconciliation/reconciliation.service.ts";
import { createReportsService, type ReportsService } from "./reports/payments-report.ts";
import { createReviewService, type ReviewService } from "./review/review.service.ts";
import type { ScryptParams } from "./users/password.ts";
import { createUsersService, type UsersService } from "./users/users.service.ts";
import { createWebhooks, type Webhooks } from "./webhooks/webhooks.ts";

export interface Services {
  users: UsersService;
  bookings: BookingsService;
  /** After payment: accept, assign, complete (releases the fee), cancel (refunds a held fee). */
  bookingLife: BookingLifeService;
  /** Payouts (B2C) and refunds (Reversal): reads, approval, and the one apply path for submitters. */
  payouts: PayoutsService;
  /** Sends due payouts (B2C) and refunds (Reversal) and asks Transaction Status (start/stop it). */
  payoutSubmitter: PayoutSubmitter;
  /** What Daraja sends back about them on the signed result URLs: stored, answered, processed. */
  payoutResults: PayoutResultHandling;
  reports: ReportsService;
  /** The admin review queue: what a person must decide, and the decision on money in suspense. */
  review: ReviewService;
  /** Our books against M-Pesa's statement and Account Balance; decisions on what disagrees (start/stop it). */
  reconciliation: ReconciliationService;
  /** This app's Prometheus metrics; payments increment the payment counters through it. */
  metrics: Metrics;
  /** Booking-fee payments: STK Push, callbacks, status, reconciler, event bus (start/stop it). */
  payments: Payments;
  /** The periodic check of the books (start/stop it); its last result feeds /ready and /metrics. */
  ledgerCheck: LedgerMonitor;
  /** Webhooks to the platform: admin use cases and the delivery worker (start/stop it). */
  webhooks: Webhooks;
}

export interface ServiceDeps {
  config: Readonly<Config>;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** STK Push and Query for payments; B2C, Reversal and the queries for money out. */
  daraja: DarajaApi & DarajaPayoutsApi;
  /** Defaults to a fresh registry with process metrics. */
  metrics?: Metrics;
  /** scrypt cost for new password hashes; tests may lower it. */
  passwordParams?: ScryptParams;
  /** Payment waits and schedules; tests may shrink them. */
  paymentTimings?: Partial<PaymentTimings>;
  /** Payout and refund waits; tests may shrink them. */
  payoutTimings?: Partial<PayoutTimings>;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, db, logger, clock } = deps;
  const metrics = deps.metrics ?? createMetrics({ collectDefaults: true });
  // A lease outlasts a Daraja call however compressed the other waits are.
  const minLeaseMs = 4 * config.mpesa.timeoutMs;
  const payoutTimings = { ...scaledPayoutTimings(config.timeScale, minLeaseMs), ...deps.payoutTimings };
  const payouts = createPayoutsService({ db, clock, logger, metrics, timings: payoutTimings });
  const bookings = createBookingsService({ config, db, clock, payouts });
  const sending = createPayoutSending({ config, db, clock, logger, payouts, daraja: deps.daraja, metrics });
  const payments = createPayments({
    config,
    db,
    logger,
    clock,
    daraja: deps.daraja,
    metrics,
    timings: deps.paymentTimings,
  });
  return {
    users: createUsersService({
      config,
      db,
      logger,
      clock,
      ...(deps.passwordParams ? { passwordParams: deps.passwordParams } : {}),
    }),
    bookings,
    bookingLife: createBookingLifeService({ config, db, clock, bookings, payouts }),
    payouts,
    payoutSubmitter: sending.submitter,
    payoutResults: sending.results,
    reports: createReportsService({ db, clock }),
    payments,
    review: createReviewService({ db, clock, payments, payouts }),
    reconciliation: createReconciliationService({
      db,
      clock,
      logger,
      payments,
      payouts,
      daraja: deps.daraja,
      publicBaseUrl: config.publicBaseUrl,
      callbackSecret: config.callbackSecret,
      balanceIntervalMs: config.reconciliation.balanceIntervalMs,
    }),
    ledgerCheck: createLedgerMonitor({
      db,
      metrics,
      logger,
      clock,
      intervalMs: config.ledgerCheckIntervalMs,
    }),
    webhooks: createWebhooks({ config, db, clock, logger, metrics }),
    metrics,
  };
}

/**
 * The payments module, wired from its dependencies: the one place that builds the context every
 * use case takes first, and binds the use cases the routes, the reconciler and the tests call.
 *
 * Start-up (composition root): `createServices` builds this; then `await payments.start()` opens the
 * PostgreSQL LISTEN connection and, when `config.reconciler.enabled`, starts the reconciler loop.
 * Shutdown: `await payments.stop()` (after the HTTP server stopped taking requests).
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { DarajaApi } from "../daraja/contract.ts";
import type { Db } from "../db/database.ts";
import type { CallbackVerdict, Executor } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Actor } from "../users/user.ts";
import { createBackgroundWork, type PaymentsContext } from "./context.ts";
import { createPaymentEventBus, type PaymentEventBus } from "./events.ts";
import {
  creditFoundMoney,
  type FoundMoney,
  type FoundMoneyCredited,
  type FoundMoneyUse,
} from "./found-money.ts";
import {
  type InitiateStkPushInput,
  initiateStkPush,
  isAnsweredReplay,
  type StkPushStarted,
} from "./initiate-push.ts";
import { instrumentDaraja } from "./instrumented-daraja.ts";
import { finishWaitingCallbacks, type ProcessOptions, processCallback } from "./process-callback.ts";
import { getStatus, type History, type HistoryInput, listHistory } from "./read-payments.ts";
import { type IncomingCallback, receiveCallback } from "./receive-callback.ts";
import { createReconciler, type Reconciler } from "./reconciler.ts";
import { resolveSuspense, type SuspenseDecision } from "./resolve-suspense.ts";
import { defaultTimings, type PaymentTimings } from "./timings.ts";
import type { TransactionView } from "./transaction-view.ts";
import { createWindowCounter } from "./window-counter.ts";

export interface PaymentsDeps {
  config: Readonly<Config>;
  db: Db;
  logger: Logger;
  clock: Clock;
  daraja: DarajaApi;
  metrics?: Metrics | undefined;
  /** Overrides of the waits and schedules (tests shrink them). */
  timings?: Partial<PaymentTimings> | undefined;
}

export interface CallbackHandling {
  /** Stores and checks; throws AppError (after storing) when refused. Processing continues in the background. */
  receive(input: IncomingCallback): Promise<{ callbackId: string }>;
  /** Decides a stored callback (background, reconciler, or once its push settled). */
  process(callbackId: string, options?: ProcessOptions): Promise<CallbackVerdict>;
  /** Finishes callbacks that arrived before their push was settled. */
  finishWaitingFor(transactionId: string): Promise<void>;
  /** Resolves when no background processing is running (tests, shutdown). */
  whenIdle(): Promise<void>;
}

export interface Payments {
  initiateStkPush(input: InitiateStkPushInput): Promise<StkPushStarted>;
  /** A repeat of an answered request (it gets the stored answer): limits must not count it. */
  isAnsweredReplay(input: InitiateStkPushInput): Promise<boolean>;
  getStatus(viewer: Actor, transactionId: string): Promise<TransactionView>;
  listHistory(viewer: Actor, input: HistoryInput): Promise<History>;
  /** An admin's decision on a payment's money in suspense: hold the fee, or refund it. */
  resolveSuspense(admin: Actor, decision: SuspenseDecision): Promise<TransactionView>;
  /**
   * Money found on the M-Pesa statement, put on the books inside the caller's transaction (the
   * admin's decision): it pays the fee, or is refunded. Announce after commit.
   */
  creditFoundMoney(trx: Executor, money: FoundMoney, use: FoundMoneyUse): Promise<FoundMoneyCredited>;
  callbacks: CallbackHandling;
  reconciler: Reconciler;
  events: PaymentEventBus;
  timings: PaymentTimings;
  /** What the use cases share; for a second reconciler in tests, or a one-off script. */
  context: PaymentsContext;
  /** Opens the event LISTEN connection (PostgreSQL) and starts the reconciler if enabled. */
  start(): Promise<void>;
  /** Stops the reconciler, waits for background callback work, closes the LISTEN connection. */
  stop(): Promise<void>;
}

export function createPayments(deps: PaymentsDeps): Payments {
  const { config, db, clock } = deps;
  const logger = deps.logger.child({ module: "payments" });
  const timings: PaymentTimings = {
    ...defaultTimings(config.mpesa.timeoutMs, config.timeScale),
    ...deps.timings,
  };
  const events = createPaymentEventBus({ db, logger });
  const ctx: PaymentsContext = {
    db,
    clock,
    logger,
    daraja: instrumentDaraja(deps.daraja, deps.metrics),
    timings,
    metrics: deps.metrics,
    callbackUrl: {
      publicBaseUrl: config.publicBaseUrl,
      callbackSecret: config.callbackSecret,
      callbackUrl: config.mpesa.callbackUrl,
    },
    callbacks: {
      secret: config.callbackSecret,
      verify: config.mpesa.verifyCallbacks,
      allowedIps: config.mpesa.callbackAllowedIps,
    },
    background: createBackgroundWork(logger),
    invalidCallbacks: createWindowCounter(60_000),
    onChange: (change) => events.publish(change),
  };
  const reconciler = createReconciler(ctx, {
    intervalMs: config.reconciler.intervalMs,
    // About one second of Daraja's rate in flight: its queue stays busy and never overflows.
    concurrency: Math.ceil(config.mpesa.rateLimit.perSecond),
  });

  return {
    initiateStkPush: (input) => initiateStkPush(ctx, input),
    isAnsweredReplay: (input) => isAnsweredReplay(ctx, input),
    getStatus: (viewer, transactionId) => getStatus(ctx, viewer, transactionId),
    listHistory: (viewer, input) => listHistory(ctx, viewer, input),
    resolveSuspense: (admin, decision) => resolveSuspense(ctx, admin, decision),
    creditFoundMoney: (trx, money, use) => creditFoundMoney(ctx, trx, money, use),
    callbacks: {
      receive: (input) => receiveCallback(ctx, input),
      process: (callbackId, options) => processCallback(ctx, callbackId, options),
      finishWaitingFor: (transactionId) => finishWaitingCallbacks(ctx, transactionId),
      whenIdle: () => ctx.background.whenIdle(),
    },
    reconciler,
    events,
    timings,
    context: ctx,
    async start() {
      await events.start();
      if (config.reconciler.enabled) reconciler.start();
    },
    async stop() {
      await reconciler.stop();
      await ctx.background.whenIdle();
      await events.close();
    },
  };
}

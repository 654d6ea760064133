/**
 * The payments module, wired from its dependencies: the service the routes call, the callback
 * handler, the reconciler and the event bus, all sharing the one `applyPaymentEvent` path.
 *
 * Start-up (composition root): `createServices` builds this; then `await payments.start()` opens the
 * PostgreSQL LISTEN connection and, when `config.reconciler.enabled`, starts the reconciler loop.
 * Shutdown: `await payments.stop()` (after the HTTP server stopped taking requests).
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { DarajaApi } from "../daraja/contract.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { type CallbackService, createCallbackService } from "./callback.service.ts";
import { createPaymentEventBus, type PaymentEventBus } from "./events.ts";
import { instrumentDaraja } from "./instrumented-daraja.ts";
import { createPaymentService, type PaymentService } from "./payment.service.ts";
import { type ApplyDeps, type ApplyFn, applyPaymentEvent } from "./payment-apply.ts";
import { createReconciler, type Reconciler } from "./reconciler.ts";
import { defaultTimings, type PaymentTimings } from "./timings.ts";

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

export interface Payments extends PaymentService {
  /** The one path that changes a payment, for events that are not Daraja results (push outcome, deadlines). */
  applyEvent: ApplyFn;
  callbacks: CallbackService;
  reconciler: Reconciler;
  events: PaymentEventBus;
  timings: PaymentTimings;
  /** Opens the event LISTEN connection (PostgreSQL) and starts the reconciler if enabled. */
  start(): Promise<void>;
  /** Stops the reconciler, waits for background callback work, closes the LISTEN connection. */
  stop(): Promise<void>;
}

export function createPayments(deps: PaymentsDeps): Payments {
  const { config, db, logger, clock, metrics } = deps;
  const daraja = instrumentDaraja(deps.daraja, metrics);
  const log = logger.child({ module: "payments" });
  const timings: PaymentTimings = { ...defaultTimings(config.mpesa.timeoutMs), ...deps.timings };
  const events = createPaymentEventBus({ db, logger: log });
  const applyDeps: ApplyDeps = {
    db,
    clock,
    logger: log,
    timings,
    metrics,
    onChange: (c) => events.publish(c),
  };
  const apply: ApplyFn = (transactionId, event, source) =>
    applyPaymentEvent(applyDeps, transactionId, event, source);

  const callbacks = createCallbackService({
    db,
    clock,
    logger: log,
    daraja,
    timings,
    metrics,
    callbackSecret: config.callbackSecret,
    verifyCallbacks: config.mpesa.verifyCallbacks,
    allowedIps: config.mpesa.callbackAllowedIps,
    apply,
  });
  const service = createPaymentService({
    db,
    daraja,
    clock,
    logger: log,
    timings,
    callbacks,
    apply,
    metrics,
    callbackUrl: {
      publicBaseUrl: config.publicBaseUrl,
      callbackSecret: config.callbackSecret,
      callbackUrl: config.mpesa.callbackUrl,
    },
  });
  const reconciler = createReconciler({
    db,
    clock,
    logger: log,
    daraja,
    timings,
    callbacks,
    metrics,
    apply,
    intervalMs: config.reconciler.intervalMs,
  });

  return {
    ...service,
    applyEvent: apply,
    callbacks,
    reconciler,
    events,
    timings,
    async start() {
      await events.start();
      if (config.reconciler.enabled) reconciler.start();
    },
    async stop() {
      await reconciler.stop();
      await callbacks.whenIdle();
      await events.close();
    },
  };
}

/**
 * The webhooks module, wired: the admin use cases and the delivery worker. Start-up (composition
 * root): `await webhooks.start()` starts the worker when WEBHOOKS_DELIVERY_ENABLED; shutdown:
 * `await webhooks.stop()` after the HTTP server stopped taking requests. Producers do not go through
 * this object: they call `enqueueWebhookEvent` (outbox.ts) inside their own transactions.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { scaledBackoff } from "./backoff.ts";
import { createWebhooksService, type WebhooksService } from "./webhooks.service.ts";
import { createDeliveryWorker, type DeliveryWorker } from "./worker.ts";

export interface Webhooks extends WebhooksService {
  worker: DeliveryWorker;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WebhooksDeps {
  config: Pick<Readonly<Config>, "webhooks"> & Partial<Pick<Readonly<Config>, "timeScale">>;
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics | undefined;
}

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const settings = deps.config.webhooks;
  const logger = deps.logger.child({ module: "webhooks" });
  const worker = createDeliveryWorker({
    db: deps.db,
    clock: deps.clock,
    logger,
    metrics: deps.metrics,
    timeoutMs: settings.timeoutMs,
    allowPrivate: settings.allowPrivate,
    sweepIntervalMs: settings.sweepIntervalMs,
    policy: scaledBackoff(deps.config.timeScale ?? 1),
    // Several timeouts: a slow request never outlives its lease, so nobody else attempts it meanwhile.
    leaseMs: Math.max(Math.round(60_000 * (deps.config.timeScale ?? 1)), settings.timeoutMs * 6),
  });
  const service = createWebhooksService({
    db: deps.db,
    clock: deps.clock,
    allowPrivate: settings.allowPrivate,
    secretOverlapMs: settings.secretOverlapMs,
    wake: () => worker.wake(),
  });
  return {
    ...service,
    worker,
    async start() {
      if (settings.deliveryEnabled) await worker.start();
    },
    stop: () => worker.stop(),
  };
}

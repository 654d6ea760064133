/**
 * The delivery worker: after commit, sends each pending delivery to its endpoint, signed, and logs
 * the attempt. At least once: a delivery stays pending until a 2xx, retried with backoff, until its
 * window (3 days) is over; then it is `failed` (an admin can resend it). Woken when events are
 * enqueued (wake.ts) and by a periodic sweep. Any number of processes run it: deliveries are leased
 * (deliveries.repository.ts), and the lease outlives the request timeout several times over.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { countWebhookAttempt, type Metrics } from "../metrics.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF, nextAttemptAt } from "./backoff.ts";
import {
  type AttemptRecord,
  claimDelivery,
  countDueDeliveries,
  type DeliveryTarget,
  findDeliveryTarget,
  findDueDeliveries,
  recordAttempt,
  releaseDelivery,
} from "./deliveries.repository.ts";
import { type Sender, sendWebhook } from "./sender.ts";
import { signatureHeaders, validSecrets } from "./signing.ts";
import { createWakeSource } from "./wake.ts";

export interface DeliveryWorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** Per request (10 s by default). */
  timeoutMs: number;
  /** Allow loopback and private addresses (WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** How often to look for due deliveries besides wake-ups. */
  sweepIntervalMs: number;
  policy?: BackoffPolicy | undefined;
  /** The jitter's randomness (tests fix it). */
  random?: (() => number) | undefined;
  sender?: Sender | undefined;
  batchSize?: number | undefined;
  /** Requests in flight at once per worker. */
  concurrency?: number | undefined;
  leaseMs?: number | undefined;
}

export interface PassSummary {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

export interface DeliveryWorker {
  /** The lease owner id of this worker. */
  readonly owner: string;
  readonly policy: BackoffPolicy;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Look for due deliveries now (after commit of something enqueued, a resend, a test event). */
  wake(): void;
  /** One pass, now (tests call this instead of waiting). */
  runOnce(): Promise<PassSummary>;
  /** Resolves when no pass is running or asked for. */
  whenIdle(): Promise<void>;
}

const ERROR_MAX = 500;

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { db, clock, logger } = deps;
  const owner = `whw_${randomBytes(6).toString("hex")}`;
  const policy = deps.policy ?? DEFAULT_BACKOFF;
  const random = deps.random ?? Math.random;
  const send = deps.sender ?? sendWebhook;
  const batchSize = deps.batchSize ?? 20;
  const concurrency = deps.concurrency ?? 4;
  // Several timeouts: a slow request never outlives its lease, so nobody else attempts it meanwhile.
  const leaseMs = deps.leaseMs ?? Math.max(60_000, deps.timeoutMs * 6);
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  // Shutting down ends requests in flight (logged as interrupted) instead of waiting out their timeout.
  let inFlight = new AbortController();

  function nextFor(
    target: DeliveryTarget,
    attempt: number,
    delivered: boolean,
    at: Date,
  ): AttemptRecord["next"] {
    if (delivered) return { status: "delivered" };
    const expiresAt = new Date(new Date(target.delivery.window_started_at).getTime() + policy.maxAgeMs);
    const next = nextAttemptAt({ attempt, at, expiresAt, policy, random });
    return next === null ? { status: "failed" } : { status: "pending", at: next };
  }

  async function attempt(id: string, summary: PassSummary): Promise<void> {
    const target = await findDeliveryTarget(db.kysely, id);
    if (target?.delivery.status !== "pending" || target.endpoint.enabled !== 1) {
      await releaseDelivery(db.kysely, id, owner);
      return;
    }
    const startedAt = clock.now();
    const headers = signatureHeaders({
      id: target.delivery.event_id,
      at: startedAt,
      body: target.payload,
      secrets: validSecrets(target.endpoint, startedAt),
    });
    const started = performance.now();
    const result = await send({
      url: target.endpoint.url,
      body: target.payload,
      headers,
      timeoutMs: deps.timeoutMs,
      allowPrivate: deps.allowPrivate,
      signal: inFlight.signal,
    });
    const latencyMs = Math.max(0, Math.round(performance.now() - started));
    const finishedAt = clock.now();
    const number = target.delivery.attempts + 1;
    const next = nextFor(target, number, result.outcome === "delivered", finishedAt);
    const record: AttemptRecord = {
      deliveryId: id,
      owner,
      attempt: number,
      outcome: result.outcome,
      statusCode: result.statusCode,
      latencyMs,
      excerpt: result.excerpt,
      error: result.error === null ? null : result.error.slice(0, ERROR_MAX),
      startedAt,
      finishedAt,
      next,
    };
    const kept = await db.kysely.transaction().execute((trx) => recordAttempt(trx, record));
    if (!kept) {
      logger.warn({ deliveryId: id, attempt: number }, "webhook attempt made after losing its lease");
      return;
    }
    if (deps.metrics) countWebhookAttempt(deps.metrics, result.outcome, latencyMs / 1000);
    if (next.status === "delivered") summary.delivered += 1;
    else if (next.status === "pending") summary.retrying += 1;
    else {
      summary.failed += 1;
      deps.metrics?.webhookDeliveriesFailedTotal.inc();
      logger.warn({ deliveryId: id, attempts: number, error: result.error }, "webhook delivery gave up");
    }
  }

  async function runOnce(): Promise<PassSummary> {
    const summary: PassSummary = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    const now = clock.now();
    const claimed: string[] = [];
    for (const id of await findDueDeliveries(db.kysely, now, batchSize)) {
      const until = new Date(now.getTime() + leaseMs);
      if (await claimDelivery(db.kysely, { id, owner, now, until })) claimed.push(id);
    }
    summary.claimed = claimed.length;
    const queue = [...claimed];
    const lane = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          await attempt(id, summary);
        } catch (error) {
          logger.error({ err: error, deliveryId: id }, "webhook attempt could not be recorded");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, lane));
    deps.metrics?.webhookBacklog.set(await countDueDeliveries(db.kysely, clock.now()));
    return summary;
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          // A full batch means more may be waiting.
          if ((await runOnce()).claimed === batchSize) again = true;
        } catch (error) {
          logger.error({ err: error }, "webhook delivery pass failed");
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  }

  function sweep(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      wake();
      sweep();
    }, deps.sweepIntervalMs);
    timer.unref();
  }

  const wakeSource = createWakeSource({ db, logger, wake });

  return {
    owner,
    policy,
    async start() {
      if (!stopped) return;
      stopped = false;
      inFlight = new AbortController();
      await wakeSource.start();
      sweep();
      wake();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await wakeSource.close();
      inFlight.abort();
      if (running) await running;
    },
    wake,
    runOnce,
    async whenIdle() {
      while (running) await running;
    },
  };
}

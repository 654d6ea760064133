/**
 * Prometheus metrics for one running app. Each instance has its own Registry (never prom-client's
 * global one) so tests can build many apps in one process. Created once in `createServices` and
 * shared: the HTTP layer observes request latency and serves `GET /metrics`; the payment service,
 * callback handler, Daraja client and reconciler increment the payment metrics below.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DarajaOperation } from "./daraja/errors.ts";
import type {
  AttemptOutcome,
  CallbackVerdict,
  PaymentStatus,
  PayoutKind,
  PayoutStatus,
} from "./db/schema.ts";

/** How a timed Daraja call ended (by operation: the client's own `DarajaOperation` names). */
export type DarajaOutcome = "ok" | "rejected" | "error" | "timeout";

export interface Metrics {
  readonly registry: Registry;
  /** Seconds per HTTP request, by route pattern (not raw URL), method and status code. */
  readonly httpRequestDuration: Histogram<"route" | "method" | "status">;
  /** A payment reached `status` (count each transition once, when it is committed). */
  readonly paymentsStatusTotal: Counter<"status">;
  /** M-Pesa callbacks received, by the verdict Malipo gave them. */
  readonly mpesaCallbacksTotal: Counter<"verdict">;
  /** Callbacks answered without being stored (too many unsigned ones from one address). */
  readonly mpesaCallbacksDropped: Counter<"reason">;
  /** Seconds per Daraja call, by operation and outcome. */
  readonly darajaRequestDuration: Histogram<"operation" | "outcome">;
  /** Pending payments whose next status check is due (set by the reconciler on each pass). */
  readonly reconcilerBacklog: Gauge;
  /** Set by the periodic ledger check (src/ledger/ledger-check.ts): the entries' sum, 0 when balanced. */
  readonly ledgerEntriesSum: Gauge;
  /** Money in escrow minus the booking fees marked held, at the last ledger check; should be 0. */
  readonly ledgerEscrowDifference: Gauge;
  /** Unix time of the last ledger check that completed (alert when it grows old). */
  readonly ledgerCheckTimestamp: Gauge;
  /** A payout or refund reached `status` (counted once per committed transition). */
  readonly payoutsStatusTotal: Counter<"kind" | "status">;
  /** Submissions kept queued because the B2C utility account lacked funds: alert on any increase. */
  readonly payoutInsufficientFundsTotal: Counter<"kind">;
  /** Webhook delivery attempts, by how each ended (`delivered`, `http_error`, `timeout`, …). */
  readonly webhookDeliveriesTotal: Counter<"outcome">;
  /** Seconds per webhook request, by outcome. */
  readonly webhookDeliveryDuration: Histogram<"outcome">;
  /** Webhook deliveries that gave up after their retry window (3 days): alert on any increase. */
  readonly webhookDeliveriesFailedTotal: Counter;
  /** Webhook deliveries due and not yet attempted (set after each delivery pass). */
  readonly webhookBacklog: Gauge;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop); on in production, off in most tests. */
  collectDefaults?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.collectDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration in seconds",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    paymentsStatusTotal: new Counter({
      name: "payments_status_total",
      help: "Payment transactions that reached each status",
      labelNames: ["status"] as const,
      registers: [registry],
    }),
    mpesaCallbacksTotal: new Counter({
      name: "mpesa_callbacks_total",
      help: "M-Pesa STK callbacks received, by verdict",
      labelNames: ["verdict"] as const,
      registers: [registry],
    }),
    mpesaCallbacksDropped: new Counter({
      name: "mpesa_callbacks_dropped_total",
      help: "M-Pesa callbacks answered without being stored, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    darajaRequestDuration: new Histogram({
      name: "daraja_request_duration_seconds",
      help: "Daraja API call duration in seconds, by operation and outcome",
      labelNames: ["operation", "outcome"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30],
      registers: [registry],
    }),
    reconcilerBacklog: new Gauge({
      name: "reconciler_backlog",
      help: "Pending payments whose status check is due",
      registers: [registry],
    }),
    ledgerEntriesSum: new Gauge({
      name: "ledger_entries_sum_kes",
      help: "Sum of all ledger entries in KES at the last check (0 in a balanced ledger)",
      registers: [registry],
    }),
    ledgerEscrowDifference: new Gauge({
      name: "ledger_escrow_difference_kes",
      help: "Escrow balance minus the sum of held booking fees in KES at the last check (0 when they agree)",
      registers: [registry],
    }),
    ledgerCheckTimestamp: new Gauge({
      name: "ledger_check_timestamp_seconds",
      help: "Unix time of the last completed ledger check",
      registers: [registry],
    }),
    payoutsStatusTotal: new Counter({
      name: "payouts_status_total",
      help: "Payouts (B2C) and refunds (Reversal) that reached each status",
      labelNames: ["kind", "status"] as const,
      registers: [registry],
    }),
    payoutInsufficientFundsTotal: new Counter({
      name: "payout_insufficient_funds_total",
      help: "Payouts or refunds kept queued because the B2C utility account lacked funds",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    webhookDeliveriesTotal: new Counter({
      name: "webhook_deliveries_total",
      help: "Webhook delivery attempts, by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    webhookDeliveryDuration: new Histogram({
      name: "webhook_delivery_duration_seconds",
      help: "Webhook request duration in seconds, by outcome",
      labelNames: ["outcome"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    webhookDeliveriesFailedTotal: new Counter({
      name: "webhook_deliveries_failed_total",
      help: "Webhook deliveries that gave up after their retry window",
      registers: [registry],
    }),
    webhookBacklog: new Gauge({
      name: "webhook_backlog",
      help: "Webhook deliveries due and not yet attempted",
      registers: [registry],
    }),
  };
}

/** Typed helpers so label values stay within our unions. */
export function countPaymentStatus(metrics: Metrics, status: PaymentStatus): void {
  metrics.paymentsStatusTotal.inc({ status });
}

export function countPayoutStatus(metrics: Metrics, kind: PayoutKind, status: PayoutStatus): void {
  metrics.payoutsStatusTotal.inc({ kind, status });
}

export function countWebhookAttempt(metrics: Metrics, outcome: AttemptOutcome, seconds: number): void {
  metrics.webhookDeliveriesTotal.inc({ outcome });
  metrics.webhookDeliveryDuration.observe({ outcome }, seconds);
}

export function countCallback(metrics: Metrics, verdict: CallbackVerdict): void {
  metrics.mpesaCallbacksTotal.inc({ verdict });
}

export function observeDarajaCall(
  metrics: Metrics,
  operation: DarajaOperation,
  outcome: DarajaOutcome,
  seconds: number,
): void {
  metrics.darajaRequestDuration.observe({ operation, outcome }, seconds);
}

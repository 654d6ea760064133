/** Endpoints and deliveries as the admin API shows them. A secret is never part of a view. */

import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from "../db/schema.ts";
import type { AttemptOutcome, DeliveryStatus, WebhookEventType } from "./catalogue.ts";
import type { DeliveryCounts } from "./endpoints.repository.ts";

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** While a rotation's overlap lasts, the old secret also signs until then. */
  previousSecretExpiresAt: string | null;
  deliveries: DeliveryCounts;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptView {
  attempt: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
  startedAt: string;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  /** The `webhook-id` the receiver sees, the same on every attempt. */
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  log: AttemptView[];
}

export function toEndpointView(
  row: WebhookEndpointRow,
  counts: DeliveryCounts | undefined,
  now: Date,
): EndpointView {
  const overlapping =
    row.previous_secret !== null &&
    row.previous_secret_expires_at !== null &&
    new Date(row.previous_secret_expires_at).getTime() > now.getTime();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as WebhookEventType[],
    enabled: row.enabled === 1,
    previousSecretExpiresAt: overlapping ? row.previous_secret_expires_at : null,
    deliveries: counts ?? { pending: 0, delivered: 0, failed: 0 },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAttemptView(row: WebhookAttemptRow): AttemptView {
  return {
    attempt: row.attempt,
    outcome: row.outcome,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    responseExcerpt: row.response_excerpt,
    error: row.error,
    startedAt: row.started_at,
  };
}

export function toDeliveryView(row: WebhookDeliveryRow, attempts: WebhookAttemptRow[]): DeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
    log: attempts.filter((a) => a.delivery_id === row.id).map(toAttemptView),
  };
}

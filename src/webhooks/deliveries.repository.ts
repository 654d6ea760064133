/**
 * The delivery queue in the database. Workers share it through leases: a delivery is worked on only
 * after a compare-and-set claim (`lease_until` empty or past, still pending and due), and its
 * attempt is recorded only while the claim is still the worker's (`lease_owner` and the attempt
 * count unchanged), so two processes never both attempt, nor both log, the same attempt. Plain
 * UPDATE … WHERE, the same on SQLite and PostgreSQL.
 */
import { sql } from "kysely";
import type { WebhookDeliveryRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import type { AttemptOutcome } from "./catalogue.ts";
import type { Executor } from "./outbox.ts";

/** Pending deliveries due at `now` to enabled endpoints, not leased by anyone, oldest due first. */
export async function findDueDeliveries(executor: Executor, now: Date, limit: number): Promise<string[]> {
  const at = now.toISOString();
  const rows = await executor
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select("d.id")
    .where("d.status", "=", "pending")
    .where("d.next_attempt_at", "<=", at)
    .where("e.enabled", "=", 1)
    .where((eb) => eb.or([eb("d.lease_until", "is", null), eb("d.lease_until", "<", at)]))
    .orderBy("d.next_attempt_at")
    .orderBy("d.id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** How many deliveries to enabled endpoints are due and waiting (the backlog metric). */
export async function countDueDeliveries(executor: Executor, now: Date): Promise<number> {
  const row = await executor
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("d.status", "=", "pending")
    .where("d.next_attempt_at", "<=", now.toISOString())
    .where("e.enabled", "=", 1)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Takes the lease of a due, pending, unleased delivery; true when this worker got it. */
export async function claimDelivery(
  executor: Executor,
  input: { id: string; owner: string; now: Date; until: Date },
): Promise<boolean> {
  const at = input.now.toISOString();
  const result = await executor
    .updateTable("webhook_deliveries")
    .set({ lease_owner: input.owner, lease_until: input.until.toISOString() })
    .where("id", "=", input.id)
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", at)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", at)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease back without an attempt (the endpoint was disabled or deleted meanwhile). */
export async function releaseDelivery(executor: Executor, id: string, owner: string): Promise<void> {
  await executor
    .updateTable("webhook_deliveries")
    .set({ lease_owner: null, lease_until: null })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .execute();
}

/** A claimed delivery with everything an attempt needs. */
export interface DeliveryTarget {
  delivery: WebhookDeliveryRow;
  endpoint: {
    url: string;
    enabled: number;
    secret: string;
    previous_secret: string | null;
    previous_secret_expires_at: string | null;
  };
  payload: string;
}

export async function findDeliveryTarget(executor: Executor, id: string): Promise<DeliveryTarget | null> {
  const delivery = await executor
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!delivery) return null;
  const endpoint = await executor
    .selectFrom("webhook_endpoints")
    .select(["url", "enabled", "secret", "previous_secret", "previous_secret_expires_at"])
    .where("id", "=", delivery.endpoint_id)
    .executeTakeFirst();
  const event = await executor
    .selectFrom("webhook_events")
    .select("payload")
    .where("id", "=", delivery.event_id)
    .executeTakeFirst();
  return endpoint && event ? { delivery, endpoint, payload: event.payload } : null;
}

export interface AttemptRecord {
  deliveryId: string;
  owner: string;
  /** This attempt's number: the delivery's attempts so far + 1. */
  attempt: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
  /** After the attempt: delivered, retry at a time, or failed (gave up). */
  next: { status: "delivered" } | { status: "pending"; at: Date } | { status: "failed" };
}

/**
 * Logs the attempt and moves the delivery, in `trx`; false (writing nothing the caller must keep)
 * when the lease is no longer this worker's or someone else already counted this attempt.
 */
export async function recordAttempt(trx: Executor, record: AttemptRecord): Promise<boolean> {
  const at = record.finishedAt.toISOString();
  const { next } = record;
  const result = await trx
    .updateTable("webhook_deliveries")
    .set({
      status: next.status,
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: next.status === "pending" ? next.at.toISOString() : null,
      last_status_code: record.statusCode,
      last_error: record.error,
      lease_owner: null,
      lease_until: null,
      updated_at: at,
      ...(next.status === "delivered" ? { delivered_at: at } : {}),
    })
    .where("id", "=", record.deliveryId)
    .where("lease_owner", "=", record.owner)
    .where("attempts", "=", record.attempt - 1)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await trx
    .insertInto("webhook_attempts")
    .values({
      id: newId("wha", record.startedAt.getTime()),
      delivery_id: record.deliveryId,
      attempt: record.attempt,
      outcome: record.outcome,
      status_code: record.statusCode,
      latency_ms: record.latencyMs,
      response_excerpt: record.excerpt,
      error: record.error,
      started_at: record.startedAt.toISOString(),
    })
    .execute();
  return true;
}

/** Endpoints and the delivery log in the database, for the admin use cases (webhooks.service.ts). */
import type { Updateable } from "kysely";
import type {
  DeliveryStatus,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEndpointsTable,
} from "../db/schema.ts";
import type { Executor } from "./outbox.ts";

export async function insertEndpoint(executor: Executor, row: WebhookEndpointRow): Promise<void> {
  await executor.insertInto("webhook_endpoints").values(row).execute();
}

export async function findEndpoint(executor: Executor, id: string): Promise<WebhookEndpointRow | null> {
  return (
    (await executor.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst()) ??
    null
  );
}

export async function listEndpoints(executor: Executor): Promise<WebhookEndpointRow[]> {
  return executor.selectFrom("webhook_endpoints").selectAll().orderBy("created_at").orderBy("id").execute();
}

export async function updateEndpoint(
  executor: Executor,
  id: string,
  patch: Updateable<WebhookEndpointsTable>,
): Promise<boolean> {
  const result = await executor
    .updateTable("webhook_endpoints")
    .set(patch)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes the endpoint with its deliveries and their attempts (ON DELETE CASCADE); the events stay. */
export async function deleteEndpoint(executor: Executor, id: string): Promise<boolean> {
  const result = await executor.deleteFrom("webhook_endpoints").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

/** Deliveries per status for each endpoint. */
export async function countDeliveriesByEndpoint(executor: Executor): Promise<Map<string, DeliveryCounts>> {
  const rows = await executor
    .selectFrom("webhook_deliveries")
    .select(["endpoint_id", "status", (eb) => eb.fn.countAll<string | number>().as("n")])
    .groupBy(["endpoint_id", "status"])
    .execute();
  const counts = new Map<string, DeliveryCounts>();
  for (const row of rows) {
    const entry = counts.get(row.endpoint_id) ?? { pending: 0, delivered: 0, failed: 0 };
    entry[row.status] = Number(row.n);
    counts.set(row.endpoint_id, entry);
  }
  return counts;
}

export async function findDelivery(executor: Executor, id: string): Promise<WebhookDeliveryRow | null> {
  return (
    (await executor.selectFrom("webhook_deliveries").selectAll().where("id", "=", id).executeTakeFirst()) ??
    null
  );
}

/** One endpoint's deliveries, newest first, a page at a time. */
export async function listDeliveries(
  executor: Executor,
  query: { endpointId: string; status: DeliveryStatus | null; page: number; limit: number },
): Promise<{ rows: WebhookDeliveryRow[]; total: number }> {
  let base = executor.selectFrom("webhook_deliveries").where("endpoint_id", "=", query.endpointId);
  if (query.status !== null) base = base.where("status", "=", query.status);
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(query.limit)
      .offset((query.page - 1) * query.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** Every attempt of these deliveries, in order. */
export async function listAttempts(executor: Executor, deliveryIds: string[]): Promise<WebhookAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return executor
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "in", deliveryIds)
    .orderBy("delivery_id")
    .orderBy("attempt")
    .execute();
}

/**
 * Makes a delivery due now with a fresh retry window (pending again if it had finished). A worker
 * that holds it records its attempt as usual; the next one comes at once.
 */
export async function requeueDelivery(executor: Executor, id: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const result = await executor
    .updateTable("webhook_deliveries")
    .set({ status: "pending", next_attempt_at: at, window_started_at: at, updated_at: at })
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Requeues every failed delivery of an endpoint whose event came at or after `since`; answers how many. */
export async function requeueFailedSince(
  executor: Executor,
  input: { endpointId: string; since: Date; now: Date },
): Promise<number> {
  const at = input.now.toISOString();
  const result = await executor
    .updateTable("webhook_deliveries")
    .set({ status: "pending", next_attempt_at: at, window_started_at: at, updated_at: at })
    .where("endpoint_id", "=", input.endpointId)
    .where("status", "=", "failed")
    .where("created_at", ">=", input.since.toISOString())
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

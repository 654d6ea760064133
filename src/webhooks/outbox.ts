/**
 * The outbox. `enqueueWebhookEvent` is called INSIDE the transaction of the change it reports: the
 * event row and one pending delivery per enabled endpoint that wants the type commit with the
 * change or not at all, so an event is never lost and never sent for a change that rolled back.
 * An event no enabled endpoint wants is not written (there is nothing to deliver, now or later:
 * an endpoint added afterwards hears of changes from then on), and its data is not even read —
 * a platform that uses no webhooks pays one indexed read per event for them.
 *
 * Delivery starts after commit: on PostgreSQL a NOTIFY issued in the transaction (which PostgreSQL
 * delivers only on commit) wakes every process's worker; on SQLite the in-process worker is woken
 * and its first query waits for the connection the transaction holds, so it runs after the commit.
 * A periodic sweep catches anything a lost wake-up missed.
 */
import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";
import { compiledQuery } from "../db/compiled-query.ts";
import type { Database } from "../db/schema.ts";
import { newId } from "../ids.ts";
import type { WebhookEventBody, WebhookEventData, WebhookEventType } from "./catalogue.ts";

export type Executor = Kysely<Database> | Transaction<Database>;

/** The PostgreSQL channel a schema's workers LISTEN on (the schema keeps test schemas apart). */
export function webhookChannel(schema: string | null): string {
  return `malipo_webhooks_${schema ?? "public"}`.slice(0, 63);
}

const wakeListeners = new Set<() => void>();

/** Hear about events enqueued in this process (the worker's in-process wake-up); returns the unsubscribe. */
export function onEventEnqueued(listener: () => void): () => void {
  wakeListeners.add(listener);
  return () => wakeListeners.delete(listener);
}

function wakeInProcess(): void {
  // After the current task: by then the caller's transaction is committing or done.
  setImmediate(() => {
    for (const listener of wakeListeners) listener();
  });
}

export interface EnqueuedEvent {
  id: string;
  deliveries: number;
}

export interface NewWebhookEvent<T extends WebhookEventType> {
  type: T;
  /** The body's data, or how to read it (read only when some endpoint wants the event). */
  data: WebhookEventData[T] | (() => Promise<WebhookEventData[T]>);
  at: Date;
  /** Only this endpoint, whatever it subscribes to (the "send test event" button). */
  endpointId?: string;
  /** The id to send (default a new `evt_…`). */
  id?: string;
}

/**
 * The enabled endpoints, read once per transaction: a change that emits several events (a paid
 * fee: payment.completed and booking_fee.held) asks once. Money transactions never change
 * endpoints, so what the first read saw holds to the end of the transaction.
 */
const enabledEndpointRows = compiledQuery((executor, _: Record<string, never>) =>
  executor.selectFrom("webhook_endpoints").select(["id", "event_types"]).where("enabled", "=", 1),
);
const endpointsOf = new WeakMap<Executor, Promise<Array<{ id: string; eventTypes: string[] }>>>();
function enabledEndpoints(executor: Executor): Promise<Array<{ id: string; eventTypes: string[] }>> {
  const read = async () =>
    (await enabledEndpointRows(executor, {})).rows.map((e) => ({
      id: e.id,
      eventTypes: JSON.parse(e.event_types) as string[],
    }));
  // Outside a transaction every call reads anew (nothing would bound the memo's life).
  if (!executor.isTransaction) return read();
  let endpoints = endpointsOf.get(executor);
  if (!endpoints) {
    endpoints = read();
    endpointsOf.set(executor, endpoints);
  }
  return endpoints;
}

/**
 * Inside `trx`, whose own read already counted the enabled endpoints (the callback's one read
 * does): when there are none, the events it emits need not ask again.
 */
export function knownEnabledEndpointCount(trx: Executor, count: number): void {
  if (count === 0 && trx.isTransaction && !endpointsOf.has(trx)) endpointsOf.set(trx, Promise.resolve([]));
}

/** Writes the event and its deliveries with `executor` (the change's own transaction). */
export async function enqueueWebhookEvent<T extends WebhookEventType>(
  executor: Executor,
  event: NewWebhookEvent<T>,
): Promise<EnqueuedEvent> {
  const at = event.at.toISOString();
  const id = event.id ?? newId("evt", event.at.getTime());
  const endpoints = (await enabledEndpoints(executor)).filter((e) =>
    event.endpointId !== undefined ? e.id === event.endpointId : e.eventTypes.includes(event.type),
  );
  if (endpoints.length === 0) return { id, deliveries: 0 };
  const data = typeof event.data === "function" ? await event.data() : event.data;
  const body: WebhookEventBody<T> = { id, type: event.type, createdAt: at, data };
  await executor
    .insertInto("webhook_events")
    .values({ id, type: event.type, payload: JSON.stringify(body), created_at: at })
    .execute();
  await executor
    .insertInto("webhook_deliveries")
    .values(
      endpoints.map((endpoint) => ({
        id: newId("whd", event.at.getTime()),
        event_id: id,
        endpoint_id: endpoint.id,
        event_type: event.type,
        status: "pending" as const,
        attempts: 0,
        next_attempt_at: at,
        window_started_at: at,
        lease_owner: null,
        lease_until: null,
        last_status_code: null,
        last_error: null,
        created_at: at,
        updated_at: at,
        delivered_at: null,
      })),
    )
    .execute();
  if (executor.getExecutor().adapter instanceof PostgresAdapter)
    await sql`SELECT pg_notify(substr('malipo_webhooks_' || current_schema(), 1, 63), '')`.execute(executor);
  else wakeInProcess();
  return { id, deliveries: endpoints.length };
}

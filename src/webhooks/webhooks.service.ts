/**
 * What admins do with webhooks: manage endpoints (the secret is shown once, on create and rotate),
 * read an endpoint's delivery log, resend one delivery or everything failed since a time, and send a
 * test event. Every use case is for admins only; the worker is woken after each commit that queues
 * something to send.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { DeliveryStatus, WebhookEndpointRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { Actor } from "../users/user.ts";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from "./catalogue.ts";
import { checkedUrl, descriptionOf, eventTypesOf, invalid } from "./endpoint-input.ts";
import * as repo from "./endpoints.repository.ts";
import { exampleData } from "./examples.ts";
import { enqueueWebhookEvent } from "./outbox.ts";
import { generateSecret } from "./signing.ts";
import { type DeliveryView, type EndpointView, toDeliveryView, toEndpointView } from "./webhook-view.ts";

export interface EndpointInput {
  url: string;
  description?: string | null | undefined;
  /** Default: every event type. */
  eventTypes?: readonly string[] | undefined;
  enabled?: boolean | undefined;
}

export interface WithSecret {
  endpoint: EndpointView;
  /** Shown this once: store it with the receiver. */
  secret: string;
}

export interface DeliveryPage {
  deliveries: DeliveryView[];
  total: number;
  page: number;
  pages: number;
}

export interface WebhooksService {
  createEndpoint(admin: Actor, input: EndpointInput): Promise<WithSecret>;
  listEndpoints(admin: Actor): Promise<EndpointView[]>;
  getEndpoint(admin: Actor, id: string): Promise<EndpointView>;
  updateEndpoint(admin: Actor, id: string, patch: Partial<EndpointInput>): Promise<EndpointView>;
  deleteEndpoint(admin: Actor, id: string): Promise<void>;
  /** A new secret; the old one keeps signing for `overlapMs` (default WEBHOOKS_SECRET_OVERLAP_HOURS). */
  rotateSecret(admin: Actor, id: string, overlapMs?: number): Promise<WithSecret>;
  listDeliveries(
    admin: Actor,
    endpointId: string,
    query: { page: number; limit: number; status?: DeliveryStatus | undefined },
  ): Promise<DeliveryPage>;
  resendDelivery(admin: Actor, deliveryId: string): Promise<DeliveryView>;
  resendFailed(admin: Actor, endpointId: string, since: string): Promise<{ requeued: number }>;
  sendTestEvent(admin: Actor, endpointId: string, type?: string): Promise<DeliveryView>;
}

export interface WebhooksServiceDeps {
  db: Db;
  clock: Clock;
  allowPrivate: boolean;
  secretOverlapMs: number;
  /** After a commit that queued deliveries. */
  wake(): void;
}

export { DESCRIPTION_MAX } from "./endpoint-input.ts";

const notFound = () => new AppError("WEBHOOK_ENDPOINT_NOT_FOUND", "No webhook endpoint has this id");
const disabled = () =>
  new AppError("WEBHOOK_ENDPOINT_DISABLED", "Enable the endpoint before sending it a test event");

function requireAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Only admins manage webhooks");
}

export function createWebhooksService(deps: WebhooksServiceDeps): WebhooksService {
  const { db, clock } = deps;

  async function endpointRow(id: string): Promise<WebhookEndpointRow> {
    const row = await repo.findEndpoint(db.kysely, id);
    if (!row) throw notFound();
    return row;
  }

  async function view(row: WebhookEndpointRow): Promise<EndpointView> {
    const counts = await repo.countDeliveriesByEndpoint(db.kysely);
    return toEndpointView(row, counts.get(row.id), clock.now());
  }

  async function deliveryView(id: string): Promise<DeliveryView> {
    const row = await repo.findDelivery(db.kysely, id);
    if (!row) throw new AppError("WEBHOOK_DELIVERY_NOT_FOUND", "No webhook delivery has this id");
    return toDeliveryView(row, await repo.listAttempts(db.kysely, [row.id]));
  }

  return {
    async createEndpoint(admin, input) {
      requireAdmin(admin);
      const url = await checkedUrl(deps.allowPrivate, input.url);
      const at = clock.now().toISOString();
      const secret = generateSecret();
      const row: WebhookEndpointRow = {
        id: newId("whe", clock.now().getTime()),
        url,
        description: descriptionOf(input.description),
        event_types: JSON.stringify(eventTypesOf(input.eventTypes ?? WEBHOOK_EVENT_TYPES)),
        enabled: input.enabled === false ? 0 : 1,
        secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        created_at: at,
        updated_at: at,
      };
      await repo.insertEndpoint(db.kysely, row);
      return { endpoint: await view(row), secret };
    },

    async listEndpoints(admin) {
      requireAdmin(admin);
      const [rows, counts] = await Promise.all([
        repo.listEndpoints(db.kysely),
        repo.countDeliveriesByEndpoint(db.kysely),
      ]);
      return rows.map((row) => toEndpointView(row, counts.get(row.id), clock.now()));
    },

    async getEndpoint(admin, id) {
      requireAdmin(admin);
      return view(await endpointRow(id));
    },

    async updateEndpoint(admin, id, patch) {
      requireAdmin(admin);
      await endpointRow(id);
      await repo.updateEndpoint(db.kysely, id, {
        ...(patch.url === undefined ? {} : { url: await checkedUrl(deps.allowPrivate, patch.url) }),
        ...(patch.description === undefined ? {} : { description: descriptionOf(patch.description) }),
        ...(patch.eventTypes === undefined
          ? {}
          : { event_types: JSON.stringify(eventTypesOf(patch.eventTypes)) }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
        updated_at: clock.now().toISOString(),
      });
      // Re-enabled: what waited for it is due.
      if (patch.enabled === true) deps.wake();
      return view(await endpointRow(id));
    },

    async deleteEndpoint(admin, id) {
      requireAdmin(admin);
      if (!(await repo.deleteEndpoint(db.kysely, id))) throw notFound();
    },

    async rotateSecret(admin, id, overlapMs = deps.secretOverlapMs) {
      requireAdmin(admin);
      const row = await endpointRow(id);
      const now = clock.now();
      const secret = generateSecret();
      await repo.updateEndpoint(db.kysely, id, {
        secret,
        previous_secret: overlapMs > 0 ? row.secret : null,
        previous_secret_expires_at: overlapMs > 0 ? new Date(now.getTime() + overlapMs).toISOString() : null,
        updated_at: now.toISOString(),
      });
      return { endpoint: await view(await endpointRow(id)), secret };
    },

    async listDeliveries(admin, endpointId, query) {
      requireAdmin(admin);
      await endpointRow(endpointId);
      const { rows, total } = await repo.listDeliveries(db.kysely, {
        page: query.page,
        limit: query.limit,
        endpointId,
        status: query.status ?? null,
      });
      const attempts = await repo.listAttempts(
        db.kysely,
        rows.map((r) => r.id),
      );
      return {
        deliveries: rows.map((row) => toDeliveryView(row, attempts)),
        total,
        page: query.page,
        pages: Math.ceil(total / query.limit),
      };
    },

    async resendDelivery(admin, deliveryId) {
      requireAdmin(admin);
      if (!(await repo.requeueDelivery(db.kysely, deliveryId, clock.now())))
        throw new AppError("WEBHOOK_DELIVERY_NOT_FOUND", "No webhook delivery has this id");
      deps.wake();
      return deliveryView(deliveryId);
    },

    async resendFailed(admin, endpointId, since) {
      requireAdmin(admin);
      const from = new Date(since);
      if (Number.isNaN(from.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(since))
        throw invalid("since", "must be an ISO-8601 date or date-time");
      await endpointRow(endpointId);
      const requeued = await repo.requeueFailedSince(db.kysely, {
        endpointId,
        since: from,
        now: clock.now(),
      });
      if (requeued > 0) deps.wake();
      return { requeued };
    },

    async sendTestEvent(admin, endpointId, type = "payment.completed") {
      requireAdmin(admin);
      const row = await endpointRow(endpointId);
      if (!isWebhookEventType(type))
        throw invalid("type", `is not an event type (known: ${WEBHOOK_EVENT_TYPES.join(", ")})`);
      if (row.enabled !== 1) throw disabled();
      const at = clock.now();
      const event = await db.kysely.transaction().execute((trx) =>
        enqueueWebhookEvent(trx, {
          type,
          data: exampleData(type),
          at,
          endpointId,
          id: newId("evt_test", at.getTime()),
        }),
      );
      const delivery = await db.kysely
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("event_id", "=", event.id)
        .executeTakeFirst();
      if (!delivery) {
        // Deleted (not found) or disabled between the check and the insert.
        await endpointRow(endpointId);
        throw disabled();
      }
      deps.wake();
      return deliveryView(delivery.id);
    },
  };
}

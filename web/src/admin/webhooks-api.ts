/**
 * The admin webhook routes this page calls. Types come from the server's own views (src/webhooks),
 * so the page and the API cannot drift apart.
 */
import type { DeliveryStatus, WebhookEventType } from "../../../src/webhooks/catalogue.ts";
import type { DeliveryView, EndpointView } from "../../../src/webhooks/webhook-view.ts";
import { apiRequest } from "../api/client.ts";
import type { Page } from "../api/types.ts";

export type { DeliveryStatus, DeliveryView, EndpointView, WebhookEventType };

interface Data<T> {
  success: true;
  data: T;
}

const BASE = "/admin/webhooks";
const id = (value: string) => encodeURIComponent(value);

export interface WithSecret {
  endpoint: EndpointView;
  secret: string;
}

export async function listEndpoints(): Promise<EndpointView[]> {
  return (await apiRequest<Data<{ endpoints: EndpointView[] }>>(`${BASE}/endpoints`)).data.endpoints;
}

export async function createEndpoint(input: {
  url: string;
  description?: string;
  eventTypes: WebhookEventType[];
}): Promise<WithSecret> {
  return (await apiRequest<Data<WithSecret>>(`${BASE}/endpoints`, { method: "POST", body: input })).data;
}

export async function setEnabled(endpointId: string, enabled: boolean): Promise<EndpointView> {
  const path = `${BASE}/endpoints/${id(endpointId)}`;
  return (await apiRequest<Data<{ endpoint: EndpointView }>>(path, { method: "PATCH", body: { enabled } }))
    .data.endpoint;
}

export async function rotateSecret(endpointId: string): Promise<WithSecret> {
  const path = `${BASE}/endpoints/${id(endpointId)}/rotate-secret`;
  return (await apiRequest<Data<WithSecret>>(path, { method: "POST", body: {} })).data;
}

export async function sendTestEvent(endpointId: string, type: WebhookEventType): Promise<DeliveryView> {
  const path = `${BASE}/endpoints/${id(endpointId)}/test`;
  return (await apiRequest<Data<{ delivery: DeliveryView }>>(path, { method: "POST", body: { type } })).data
    .delivery;
}

export async function listDeliveries(
  endpointId: string,
  page: number,
  status: DeliveryStatus | undefined,
): Promise<Page<DeliveryView>> {
  const search = new URLSearchParams({ page: String(page), limit: "10" });
  if (status) search.set("status", status);
  const body = await apiRequest<{
    count: number;
    total: number;
    page: number;
    pages: number;
    deliveries: DeliveryView[];
  }>(`${BASE}/endpoints/${id(endpointId)}/deliveries?${search}`);
  return { ...body, items: body.deliveries };
}

export async function resendDelivery(deliveryId: string): Promise<DeliveryView> {
  const path = `${BASE}/deliveries/${id(deliveryId)}/resend`;
  return (await apiRequest<Data<{ delivery: DeliveryView }>>(path, { method: "POST" })).data.delivery;
}

export async function resendFailed(endpointId: string, since: string): Promise<number> {
  const path = `${BASE}/endpoints/${id(endpointId)}/resend-failed`;
  return (await apiRequest<Data<{ requeued: number }>>(path, { method: "POST", body: { since } })).data
    .requeued;
}

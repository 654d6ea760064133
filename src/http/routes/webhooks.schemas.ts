/** Schemas of the admin webhook routes (webhooks.routes.ts). */
import { Type } from "@fastify/type-provider-typebox";
import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from "../../webhooks/catalogue.ts";
import { DESCRIPTION_MAX } from "../../webhooks/webhooks.service.ts";
import { Nullable } from "../schemas.ts";

export const EventType = Type.Enum([...WEBHOOK_EVENT_TYPES]);
const DeliveryStatus = Type.Enum([...DELIVERY_STATUSES]);

export const IdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) });

const EndpointFields = {
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: "https:// (http:// only when WEBHOOKS_ALLOW_PRIVATE)",
  }),
  description: Type.Optional(Nullable(Type.String({ maxLength: DESCRIPTION_MAX }))),
  eventTypes: Type.Optional(
    Type.Array(EventType, {
      minItems: 1,
      maxItems: WEBHOOK_EVENT_TYPES.length,
      uniqueItems: true,
      description: "Default: every event type",
    }),
  ),
  enabled: Type.Optional(Type.Boolean({ default: true })),
};

export const NewEndpointBody = Type.Object(EndpointFields, { additionalProperties: false });

export const EndpointPatchBody = Type.Object(
  { ...EndpointFields, url: Type.Optional(EndpointFields.url) },
  { additionalProperties: false, minProperties: 1 },
);

/** Optional: the route treats no body as `{}`. */
export const RotateBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 30 * 86_400,
        description: "How long the old secret keeps signing; default WEBHOOKS_SECRET_OVERLAP_HOURS",
      }),
    ),
  },
  { additionalProperties: false },
);

export const ResendFailedBody = Type.Object(
  {
    since: Type.String({
      minLength: 10,
      maxLength: 40,
      description: "ISO-8601; failed deliveries of events since then",
    }),
  },
  { additionalProperties: false },
);

/** Optional: the route treats no body as `{}` (a payment.completed example). */
export const TestEventBody = Type.Object({ type: Type.Optional(EventType) }, { additionalProperties: false });

export const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Type.Array(EventType),
  enabled: Type.Boolean(),
  previousSecretExpiresAt: Nullable(
    Type.String({ format: "date-time", description: "The old secret also signs until then" }),
  ),
  deliveries: Type.Object({ pending: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer() }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export const SecretField = Type.String({
  description: "whsec_…: shown this once; store it with the receiver",
});

const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  outcome: Type.Enum([...ATTEMPT_OUTCOMES]),
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Integer(),
  responseExcerpt: Nullable(Type.String()),
  error: Nullable(Type.String()),
  startedAt: Type.String({ format: "date-time" }),
});

export const DeliverySchema = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String({ description: "The webhook-id header: the same on every attempt" }),
  eventType: EventType,
  status: DeliveryStatus,
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: "date-time" })),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  deliveredAt: Nullable(Type.String({ format: "date-time" })),
  log: Type.Array(AttemptSchema),
});

export const DeliveriesQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  status: Type.Optional(DeliveryStatus),
});

/** Admin routes for webhooks to the platform: endpoints, their delivery log, resends, test events. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, PageFields } from "../schemas.ts";
import {
  DeliveriesQuery,
  DeliverySchema,
  EndpointPatchBody,
  EndpointSchema,
  IdParams,
  NewEndpointBody,
  ResendFailedBody,
  RotateBody,
  SecretField,
  TestEventBody,
} from "./webhooks.schemas.ts";

export interface WebhooksRoutesOptions {
  services: Services;
}

const BASE = "/admin/webhooks";

/** For routes whose body is optional: no body at all reads as `{}`. */
async function noBodyIsEmpty(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
const admin = { onRequest: [authenticate, requireRole("admin")] };
const ok = <T extends Parameters<typeof Type.Object>[0]>(data: T) =>
  Type.Object({ success: Type.Literal(true), data: Type.Object(data) });
const about = (summary: string) => ({ tags: ["admin", "webhooks"], summary, security: bearerAuth });

export const webhooksRoutes: FastifyPluginAsyncTypebox<WebhooksRoutesOptions> = async (app, { services }) => {
  const webhooks = services.webhooks;

  app.get(
    `${BASE}/endpoints`,
    {
      ...admin,
      schema: {
        ...about("Every webhook endpoint (secrets are never shown here)"),
        response: { 200: ok({ endpoints: Type.Array(EndpointSchema) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => ({
      success: true as const,
      data: { endpoints: await webhooks.listEndpoints(request.user) },
    }),
  );

  app.post(
    `${BASE}/endpoints`,
    {
      ...admin,
      schema: {
        ...about("Add an endpoint; its signing secret is in this answer only"),
        body: NewEndpointBody,
        response: {
          201: ok({ endpoint: EndpointSchema, secret: SecretField }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const created = await webhooks.createEndpoint(request.user, request.body);
      return reply.code(201).send({ success: true as const, data: created });
    },
  );

  app.get(
    `${BASE}/endpoints/:id`,
    {
      ...admin,
      schema: {
        ...about("One endpoint"),
        params: IdParams,
        response: { 200: ok({ endpoint: EndpointSchema }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      success: true as const,
      data: { endpoint: await webhooks.getEndpoint(request.user, request.params.id) },
    }),
  );

  app.patch(
    `${BASE}/endpoints/:id`,
    {
      ...admin,
      schema: {
        ...about("Change an endpoint's URL, description, event types or enabled"),
        params: IdParams,
        body: EndpointPatchBody,
        response: { 200: ok({ endpoint: EndpointSchema }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      success: true as const,
      data: { endpoint: await webhooks.updateEndpoint(request.user, request.params.id, request.body) },
    }),
  );

  app.delete(
    `${BASE}/endpoints/:id`,
    {
      ...admin,
      schema: {
        ...about("Delete an endpoint with its deliveries and their log"),
        params: IdParams,
        response: { 204: Type.Null({ description: "Deleted" }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.deleteEndpoint(request.user, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${BASE}/endpoints/:id/rotate-secret`,
    {
      ...admin,
      preValidation: noBodyIsEmpty,
      schema: {
        ...about("A new signing secret (shown once); the old one keeps signing during the overlap"),
        params: IdParams,
        body: RotateBody,
        response: {
          200: ok({ endpoint: EndpointSchema, secret: SecretField }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const seconds = request.body.overlapSeconds;
      const rotated = await webhooks.rotateSecret(
        request.user,
        request.params.id,
        seconds === undefined ? undefined : seconds * 1000,
      );
      return { success: true as const, data: rotated };
    },
  );

  app.get(
    `${BASE}/endpoints/:id/deliveries`,
    {
      ...admin,
      schema: {
        ...about("An endpoint's deliveries, newest first, each with its attempts"),
        params: IdParams,
        querystring: DeliveriesQuery,
        response: {
          200: Type.Object({ ...PageFields, deliveries: Type.Array(DeliverySchema) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 20, status } = request.query;
      const result = await webhooks.listDeliveries(request.user, request.params.id, { page, limit, status });
      return { success: true as const, count: result.deliveries.length, ...result };
    },
  );

  app.post(
    `${BASE}/deliveries/:id/resend`,
    {
      ...admin,
      schema: {
        ...about("Send one delivery again now (same webhook-id), with a fresh retry window"),
        params: IdParams,
        response: { 202: ok({ delivery: DeliverySchema }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.resendDelivery(request.user, request.params.id);
      return reply.code(202).send({ success: true as const, data: { delivery } });
    },
  );

  app.post(
    `${BASE}/endpoints/:id/resend-failed`,
    {
      ...admin,
      schema: {
        ...about("Send again every failed delivery of events since a time"),
        params: IdParams,
        body: ResendFailedBody,
        response: { 202: ok({ requeued: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const result = await webhooks.resendFailed(request.user, request.params.id, request.body.since);
      return reply.code(202).send({ success: true as const, data: result });
    },
  );

  app.post(
    `${BASE}/endpoints/:id/test`,
    {
      ...admin,
      preValidation: noBodyIsEmpty,
      schema: {
        ...about("Send this endpoint a test event (example data, ids starting test_)"),
        params: IdParams,
        body: TestEventBody,
        response: { 202: ok({ delivery: DeliverySchema }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.sendTestEvent(request.user, request.params.id, request.body.type);
      return reply.code(202).send({ success: true as const, data: { delivery } });
    },
  );
};

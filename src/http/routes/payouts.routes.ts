/** Payouts to technicians and refunds to customers: reading them, and an admin's approval. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { PAYOUT_STATUSES } from "../../payouts/state-machine.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable, PageFields, PaginationQuery } from "../schemas.ts";

export interface PayoutsRoutesOptions {
  services: Services;
}

const MoneyOutFields = {
  id: Type.String(),
  bookingId: Type.String(),
  phoneNumber: Type.String({
    description: "Full for the person receiving the money; masked for anyone else",
  }),
  amount: Type.Integer(),
  currency: Type.Literal("KES"),
  status: Type.Enum([...PAYOUT_STATUSES]),
  conversationId: Nullable(Type.String()),
  receipt: Nullable(Type.String({ description: "M-Pesa TransactionID of the payout or reversal" })),
  resultCode: Nullable(Type.String()),
  resultDesc: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  completedAt: Nullable(Type.String({ format: "date-time" })),
};

export const PayoutSchema = Type.Object({
  ...MoneyOutFields,
  technicianId: Type.String(),
  awaitingApproval: Type.Boolean({ description: "PAYOUT_APPROVAL=admin and not approved yet" }),
});

export const RefundSchema = Type.Object({
  ...MoneyOutFields,
  customerId: Type.String(),
  transactionId: Type.String({ description: "The payment being reversed" }),
  reason: Type.String(),
});

const IdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) });
const ListQuery = Type.Object({ ...PaginationQuery, status: Type.Optional(Type.Enum([...PAYOUT_STATUSES])) });

export const payoutsRoutes: FastifyPluginAsyncTypebox<PayoutsRoutesOptions> = async (app, { services }) => {
  app.get(
    "/payouts",
    {
      onRequest: [authenticate, requireRole("technician", "admin")],
      schema: {
        tags: ["payouts"],
        summary: "Payouts (technicians: yours; admins: all, filter by status)",
        security: bearerAuth,
        querystring: ListQuery,
        response: {
          200: Type.Object({ ...PageFields, payouts: Type.Array(PayoutSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 10, status } = request.query;
      const result = await services.payouts.listPayouts(request.user, { page, limit, status });
      return { success: true as const, count: result.items.length, ...result, payouts: result.items };
    },
  );

  app.get(
    "/payouts/:id",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["payouts"],
        summary: "One payout",
        security: bearerAuth,
        params: IdParams,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Object({ payout: PayoutSchema }) }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const payout = await services.payouts.getPayout(request.user, request.params.id);
      return { success: true as const, data: { payout } };
    },
  );

  app.get(
    "/refunds",
    {
      onRequest: [authenticate, requireRole("customer", "admin")],
      schema: {
        tags: ["payouts"],
        summary: "Refunds (customers: yours; admins: all, filter by status)",
        security: bearerAuth,
        querystring: ListQuery,
        response: {
          200: Type.Object({ ...PageFields, refunds: Type.Array(RefundSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 10, status } = request.query;
      const result = await services.payouts.listRefunds(request.user, { page, limit, status });
      return { success: true as const, count: result.items.length, ...result, refunds: result.items };
    },
  );

  app.get(
    "/refunds/:id",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["payouts"],
        summary: "One refund",
        security: bearerAuth,
        params: IdParams,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Object({ refund: RefundSchema }) }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const refund = await services.payouts.getRefund(request.user, request.params.id);
      return { success: true as const, data: { refund } };
    },
  );

  app.post(
    "/admin/payouts/:id/approve",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary: "Approve a payout held by PAYOUT_APPROVAL=admin (recorded with the admin)",
        security: bearerAuth,
        params: IdParams,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Object({ payout: PayoutSchema }) }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const payout = await services.payouts.approvePayout(request.user, request.params.id);
      return { success: true as const, data: { payout } };
    },
  );
};

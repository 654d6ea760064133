/** Admin-only views: the payments and money-out reports, and the technicians to assign bookings to. */
import { type FastifyPluginAsyncTypebox, type TInteger, Type } from "@fastify/type-provider-typebox";
import { PAYOUT_STATUSES, type PayoutStatus } from "../../payouts/state-machine.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable, PageFields, PaginationQuery, UserSchema } from "../schemas.ts";

export interface AdminRoutesOptions {
  services: Services;
}

const StatusCounts = Type.Object({
  initiated: Type.Integer(),
  pending: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
  needs_review: Type.Integer(),
  total: Type.Integer(),
});

const PaymentsReportSchema = Type.Object({
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  counts: StatusCounts,
  successRate: Nullable(Type.Number({ description: "completed / (completed + failed), 0–1" })),
  timeToResult: Type.Object({
    samples: Type.Integer(),
    averageSeconds: Nullable(Type.Number()),
    p95Seconds: Nullable(Type.Number()),
  }),
  revenuePerDay: Type.Array(
    Type.Object({
      day: Type.String(),
      amount: Type.Integer(),
      count: Type.Integer(),
      currency: Type.Literal("KES"),
    }),
  ),
  failureReasons: Type.Array(
    Type.Object({ reason: Type.String(), resultCode: Nullable(Type.String()), count: Type.Integer() }),
  ),
  needsReview: Type.Array(
    Type.Object({
      id: Type.String(),
      bookingId: Type.String(),
      amount: Type.Integer(),
      reason: Type.String(),
      createdAt: Type.String({ format: "date-time" }),
    }),
  ),
});

const MoneyTotal = Type.Object({ amount: Type.Integer(), count: Type.Integer() });
const PayoutCounts = Type.Object(
  Object.fromEntries(PAYOUT_STATUSES.map((status) => [status, Type.Integer()])) as Record<
    PayoutStatus,
    TInteger
  >,
);

const MoneyOutReportSchema = Type.Object({
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  currency: Type.Literal("KES"),
  paidOut: MoneyTotal,
  refunded: MoneyTotal,
  commission: MoneyTotal,
  owed: Type.Object(
    {
      technicianPayable: Type.Integer(),
      customerRefundsPayable: Type.Integer(),
      heldInEscrow: Type.Integer(),
    },
    { description: "Now, whatever the range" },
  ),
  payouts: Type.Object({ counts: PayoutCounts, awaitingApproval: Type.Integer() }),
  refunds: Type.Object({ counts: PayoutCounts }),
});

const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: "inclusive; ISO date or date-time" })),
  to: Type.Optional(Type.String({ maxLength: 40, description: "exclusive; ISO date or date-time" })),
});

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { services }) => {
  app.get(
    "/admin/reports/payments",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary: "Payment success rate, time to result, revenue per day, failure reasons, items to review",
        security: bearerAuth,
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({ report: PaymentsReportSchema }),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const report = await services.reports.paymentsReport(request.query);
      return { success: true as const, data: { report } };
    },
  );

  app.get(
    "/admin/reports/money-out",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary:
          "Paid out, refunded and commission earned in a range; what is owed to technicians and customers now",
        security: bearerAuth,
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({ report: MoneyOutReportSchema }),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const report = await services.reports.moneyOutReport(request.query);
      return { success: true as const, data: { report } };
    },
  );

  app.get(
    "/admin/technicians",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary:
          "Technicians by name, to assign bookings to (those without an M-Pesa number cannot take one)",
        security: bearerAuth,
        querystring: Type.Object(PaginationQuery),
        response: {
          200: Type.Object({ ...PageFields, technicians: Type.Array(UserSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 10 } = request.query;
      const result = await services.users.listTechnicians(request.user, { page, limit });
      return {
        success: true as const,
        count: result.users.length,
        total: result.total,
        page: result.page,
        pages: result.pages,
        technicians: result.users,
      };
    },
  );
};

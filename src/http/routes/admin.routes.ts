/** Admin-only views: the payments report. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable } from "../schemas.ts";

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

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { services }) => {
  app.get(
    "/admin/reports/payments",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary: "Payment success rate, time to result, revenue per day, failure reasons, items to review",
        security: bearerAuth,
        querystring: Type.Object({
          from: Type.Optional(
            Type.String({ maxLength: 40, description: "inclusive; ISO date or date-time" }),
          ),
          to: Type.Optional(Type.String({ maxLength: 40, description: "exclusive; ISO date or date-time" })),
        }),
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
};

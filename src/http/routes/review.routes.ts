/**
 * The admin review queue and the decisions on it (design: escrow.md "Routes"): what a person must
 * decide, in one list; the decision on a payment's money in suspense; a retry or a resolution of a
 * failed or reviewed payout or refund. Admins only; every decision is recorded with the admin and
 * the note. Routes only translate HTTP ↔ the review and payouts services.
 */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import type { PayoutKind } from "../../db/schema.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable } from "../schemas.ts";
import { TransactionSchema } from "./payments.routes.ts";
import { PayoutSchema, RefundSchema } from "./payouts.routes.ts";
import { DiscrepancySchema } from "./reconciliation.schemas.ts";

export interface ReviewRoutesOptions {
  services: Services;
}

const Note = Type.String({ minLength: 1, maxLength: 500, description: "Why: recorded with the admin" });
const IdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) });
const SuspenseDecision = Type.Object(
  { action: Type.Enum(["hold_fee", "refund"]), note: Note },
  { additionalProperties: false },
);
const RetryBody = Type.Object({ note: Note }, { additionalProperties: false });
const ResolveBody = Type.Object(
  {
    outcome: Type.Enum(["succeeded", "failed"], {
      description: "succeeded: the money reached the recipient (seen on the statement); failed: it did not",
    }),
    note: Note,
  },
  { additionalProperties: false },
);

const PaymentReviewSchema = Type.Object({
  id: Type.String(),
  transactionId: Type.String(),
  reason: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: "date-time" }),
});

const ClosedReviewSchema = Type.Object({
  ...PaymentReviewSchema.properties,
  resolvedAt: Type.String({ format: "date-time" }),
  resolvedBy: Nullable(Type.String()),
  resolutionNote: Nullable(Type.String()),
});

const ReviewQueueSchema = Type.Object({
  payments: Type.Array(
    Type.Object({
      ...TransactionSchema.properties,
      inSuspense: Type.Integer({ description: "KES of this payment held in suspense" }),
    }),
  ),
  paymentReviews: Type.Array(PaymentReviewSchema),
  payouts: Type.Array(PayoutSchema),
  refunds: Type.Array(RefundSchema),
  discrepancies: Type.Array(DiscrepancySchema, {
    description:
      "Open statement-reconciliation discrepancies (decide at /admin/reconciliations/discrepancies/:id/…)",
  }),
  suspenseTotal: Type.Integer({ description: "All the money in suspense, KES" }),
  counts: Type.Object({
    payments: Type.Integer(),
    paymentReviews: Type.Integer(),
    payouts: Type.Integer(),
    refunds: Type.Integer(),
    discrepancies: Type.Integer(),
  }),
});

const adminOnly = { onRequest: [authenticate, requireRole("admin")] };

export const reviewRoutes: FastifyPluginAsyncTypebox<ReviewRoutesOptions> = async (app, { services }) => {
  app.get(
    "/admin/review",
    {
      ...adminOnly,
      schema: {
        tags: ["admin"],
        summary:
          "Everything a person must decide: payments under review, money in suspense, payouts and refunds failed or under review, statement discrepancies",
        security: bearerAuth,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: ReviewQueueSchema }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ success: true as const, data: await services.review.queue(request.user) }),
  );

  app.post(
    "/admin/transactions/:id/resolve",
    {
      ...adminOnly,
      schema: {
        tags: ["admin"],
        summary:
          "Decide on a payment's money in suspense: hold the fee (escrow, booking matching) or refund it",
        security: bearerAuth,
        params: IdParams,
        body: SuspenseDecision,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({ transaction: TransactionSchema, refund: Nullable(RefundSchema) }),
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => ({
      success: true as const,
      data: await services.review.resolveTransaction(request.user, request.params.id, request.body),
    }),
  );

  app.post(
    "/admin/review/payment-reviews/:id/close",
    {
      ...adminOnly,
      schema: {
        tags: ["admin"],
        summary:
          "Close a payment review item by a decision of its own (e.g. the money was looked for on the statement and is not there); moves no money",
        security: bearerAuth,
        params: IdParams,
        body: RetryBody,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({ review: ClosedReviewSchema }),
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => ({
      success: true as const,
      data: {
        review: await services.review.closePaymentReview(request.user, request.params.id, request.body.note),
      },
    }),
  );

  for (const [kind, plural, schema] of [
    ["payout", "payouts", PayoutSchema],
    ["refund", "refunds", RefundSchema],
  ] as const) {
    const ref = (id: string) => ({ kind: kind as PayoutKind, id });
    const answer = Type.Object({ success: Type.Literal(true), data: Type.Object({ [kind]: schema }) });
    app.post(
      `/admin/${plural}/:id/retry`,
      {
        ...adminOnly,
        schema: {
          tags: ["admin"],
          summary: `Send a failed or reviewed ${kind} again, as a fresh attempt`,
          security: bearerAuth,
          params: IdParams,
          body: RetryBody,
          response: { 200: answer, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({
        success: true as const,
        data: {
          [kind]: await services.payouts.retry(request.user, ref(request.params.id), request.body.note),
        },
      }),
    );
    app.post(
      `/admin/${plural}/:id/resolve`,
      {
        ...adminOnly,
        schema: {
          tags: ["admin"],
          summary: `Settle a ${kind} under review by what a person found`,
          security: bearerAuth,
          params: IdParams,
          body: ResolveBody,
          response: { 200: answer, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({
        success: true as const,
        data: {
          [kind]: await services.payouts.resolve(
            request.user,
            ref(request.params.id),
            request.body.outcome,
            request.body.note,
          ),
        },
      }),
    );
  }
};

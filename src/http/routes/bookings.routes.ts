/** Bookings and their booking fee: customers create them; everyone lists and reads what they may see. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { BOOKING_FEE_STATUSES, BOOKING_STATUSES } from "../../bookings/booking.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable, PageFields, PaginationQuery } from "../schemas.ts";
import { PayoutSchema, RefundSchema } from "./payouts.routes.ts";

export interface BookingsRoutesOptions {
  services: Services;
}

const PaymentAttemptSchema = Type.Object({
  id: Type.String(),
  status: Type.Enum(["initiated", "pending", "completed", "failed", "needs_review"]),
  amount: Type.Integer(),
  currency: Type.Literal("KES"),
  phoneNumber: Type.String(),
  mpesaReceiptNumber: Nullable(Type.String()),
  resultCode: Nullable(Type.String()),
  resultDesc: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  completedAt: Nullable(Type.String({ format: "date-time" })),
});

export const BookingSchema = Type.Object({
  id: Type.String(),
  service: Type.String(),
  description: Nullable(Type.String()),
  location: Nullable(Type.String()),
  scheduledFor: Nullable(Type.String({ format: "date-time" })),
  status: Type.Enum([...BOOKING_STATUSES]),
  customerId: Type.String(),
  technicianId: Nullable(Type.String()),
  cancelReason: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  bookingFee: Type.Object({
    amount: Type.Integer(),
    currency: Type.Literal("KES"),
    status: Type.Enum([...BOOKING_FEE_STATUSES]),
  }),
  payments: Type.Optional(
    Type.Array(PaymentAttemptSchema, { description: "Payment attempts, newest first" }),
  ),
  payout: Type.Optional(PayoutSchema),
  refund: Type.Optional(RefundSchema),
});

const OneBooking = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({ booking: BookingSchema }),
});

export const bookingsRoutes: FastifyPluginAsyncTypebox<BookingsRoutesOptions> = async (app, { services }) => {
  app.post(
    "/bookings",
    {
      onRequest: [authenticate, requireRole("customer")],
      schema: {
        tags: ["bookings"],
        summary: "Book a service; the booking fee is due before matching starts",
        security: bearerAuth,
        body: Type.Object({
          service: Type.String({ minLength: 1, maxLength: 120 }),
          description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
          location: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          scheduledFor: Type.Optional(Nullable(Type.String({ format: "date-time" }))),
        }),
        response: { 201: OneBooking, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const booking = await services.bookings.create(request.user, request.body);
      return reply.code(201).send({ success: true, data: { booking } });
    },
  );

  app.get(
    "/bookings",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["bookings"],
        summary: "Your bookings (technicians: yours and those open to take; admins: all)",
        security: bearerAuth,
        querystring: Type.Object({
          ...PaginationQuery,
          status: Type.Optional(Type.Enum([...BOOKING_STATUSES])),
          customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "admins only" })),
        }),
        response: {
          200: Type.Object({ ...PageFields, bookings: Type.Array(BookingSchema) }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const page = await services.bookings.list(request.user, request.query);
      return {
        success: true as const,
        count: page.bookings.length,
        total: page.total,
        page: page.page,
        pages: page.pages,
        bookings: page.bookings,
      };
    },
  );

  app.get(
    "/bookings/:id",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["bookings"],
        summary: "One booking with its fee and payment attempts",
        security: bearerAuth,
        params: Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) }),
        response: { 200: OneBooking, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const booking = await services.bookings.get(request.user, request.params.id);
      return { success: true as const, data: { booking } };
    },
  );
};

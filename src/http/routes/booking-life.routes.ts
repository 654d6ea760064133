/** A booking's life after payment: accept, complete, cancel, and an admin's assignment. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { CANCEL_REASON_MAX } from "../../bookings/booking-life.service.ts";
import type { Services } from "../../services.ts";
import { authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses } from "../schemas.ts";
import { BookingSchema } from "./bookings.routes.ts";

export interface BookingLifeRoutesOptions {
  services: Services;
}

const IdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) });
const OneBooking = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({ booking: BookingSchema }),
});

export const bookingLifeRoutes: FastifyPluginAsyncTypebox<BookingLifeRoutesOptions> = async (
  app,
  { services },
) => {
  app.post(
    "/bookings/:id/accept",
    {
      onRequest: [authenticate, requireRole("technician")],
      schema: {
        tags: ["bookings"],
        summary: "Take a matching booking (your account needs an M-Pesa number: payouts go there)",
        security: bearerAuth,
        params: IdParams,
        response: { 200: OneBooking, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const booking = await services.bookingLife.accept(request.user, request.params.id);
      return { success: true as const, data: { booking } };
    },
  );

  app.post(
    "/bookings/:id/complete",
    {
      onRequest: [authenticate, requireRole("technician", "admin")],
      schema: {
        tags: ["bookings"],
        summary:
          "The job is done: the fee is released (commission kept, the rest paid out to the technician)",
        security: bearerAuth,
        params: IdParams,
        response: { 200: OneBooking, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const booking = await services.bookingLife.complete(request.user, request.params.id);
      return { success: true as const, data: { booking } };
    },
  );

  app.post(
    "/bookings/:id/cancel",
    {
      onRequest: [authenticate, requireRole("customer", "admin")],
      schema: {
        tags: ["bookings"],
        summary: "Cancel (customers before assignment, admins before completion); a held fee is refunded",
        security: bearerAuth,
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: CANCEL_REASON_MAX }) }),
        response: { 200: OneBooking, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const booking = await services.bookingLife.cancel(request.user, request.params.id, request.body.reason);
      return { success: true as const, data: { booking } };
    },
  );

  app.post(
    "/admin/bookings/:id/assign",
    {
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        tags: ["admin"],
        summary: "Give a matching booking to a technician",
        security: bearerAuth,
        params: IdParams,
        body: Type.Object({ technicianId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: OneBooking, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const booking = await services.bookingLife.assign(
        request.user,
        request.params.id,
        request.body.technicianId,
      );
      return { success: true as const, data: { booking } };
    },
  );
};

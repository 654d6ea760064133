/**
 * Bookings: a customer books a service and owes a booking fee (created `pending` with the booking,
 * in one transaction). Who sees what: the customer their own bookings, a technician the bookings
 * assigned to them and those open to take (`matching`, nobody assigned), an admin all. A booking
 * someone may not see answers BOOKING_NOT_FOUND, never FORBIDDEN, so ids cannot be probed.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { BookingStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { PayoutsService } from "../payouts/payouts.service.ts";
import type { Actor } from "../users/user.ts";
import { type Booking, toBooking, toPaymentAttempt } from "./booking.ts";
import { findBookingWithFee } from "./booking-fee.repository.ts";
import {
  type BookingFilter,
  type BookingScope,
  countBookings,
  insertBookingWithFee,
  isForeignKeyViolation,
  listBookings,
  listPaymentAttempts,
} from "./bookings.repository.ts";

export interface CreateBookingInput {
  service: string;
  description?: string | null;
  location?: string | null;
  /** ISO-8601 date-time; stored in UTC. */
  scheduledFor?: string | null;
}

export interface ListBookingsQuery {
  page?: number;
  limit?: number;
  status?: BookingStatus;
  /** Admins only: bookings of one customer. Ignored for everyone else. */
  customerId?: string;
}

export interface BookingPage {
  bookings: Booking[];
  total: number;
  page: number;
  pages: number;
  limit: number;
}

export interface BookingsService {
  /** A customer's new booking with its pending booking fee. */
  create(actor: Actor, input: CreateBookingInput): Promise<Booking>;
  list(actor: Actor, query: ListBookingsQuery): Promise<BookingPage>;
  /** One booking with its fee and payment attempts; BOOKING_NOT_FOUND when absent or not visible. */
  get(actor: Actor, bookingId: string): Promise<Booking>;
}

export interface BookingsServiceDeps {
  config: Pick<Config, "bookingFeeKes">;
  db: Db;
  clock: Clock;
  /** Shows a booking's payout or refund; without it a booking view carries neither. */
  payouts?: Pick<PayoutsService, "ofBooking">;
}

export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 100;

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > max)
    throw new AppError("VALIDATION_ERROR", `${field} is too long (at most ${max} characters)`, {
      fields: [{ field, message: `must be at most ${max} characters` }],
    });
  return trimmed;
}

function scopeFor(actor: Actor, query: ListBookingsQuery): BookingScope {
  switch (actor.role) {
    case "admin":
      return query.customerId === undefined ? { kind: "all" } : { kind: "all", customerId: query.customerId };
    case "technician":
      return { kind: "technician", technicianId: actor.id };
    case "customer":
      return { kind: "customer", customerId: actor.id };
    default: {
      const _exhaustive: never = actor.role;
      throw new Error(`Unknown role ${String(_exhaustive)}`);
    }
  }
}

export function canSee(
  actor: Actor,
  booking: { customer_id: string; technician_id: string | null; status: BookingStatus },
): boolean {
  switch (actor.role) {
    case "admin":
      return true;
    case "technician":
      return (
        booking.technician_id === actor.id ||
        (booking.status === "matching" && booking.technician_id === null)
      );
    case "customer":
      return booking.customer_id === actor.id;
    default: {
      const _exhaustive: never = actor.role;
      throw new Error(`Unknown role ${String(_exhaustive)}`);
    }
  }
}

export function createBookingsService(deps: BookingsServiceDeps): BookingsService {
  const { db, clock, config } = deps;
  return {
    async create(actor, input) {
      if (actor.role !== "customer") throw new AppError("FORBIDDEN", "Only customers can make bookings");
      const service = optionalText(input.service, "service", 120);
      if (service === null)
        throw new AppError("VALIDATION_ERROR", "Say which service you need", {
          fields: [{ field: "service", message: "must not be empty" }],
        });
      let scheduledFor: string | null = null;
      if (input.scheduledFor !== undefined && input.scheduledFor !== null && input.scheduledFor !== "") {
        const when = new Date(input.scheduledFor);
        if (Number.isNaN(when.getTime()))
          throw new AppError("VALIDATION_ERROR", "scheduledFor must be an ISO-8601 date and time", {
            fields: [{ field: "scheduledFor", message: "must be an ISO-8601 date-time" }],
          });
        scheduledFor = when.toISOString();
      }
      const now = clock.now();
      const at = now.toISOString();
      const booking = {
        id: newId("bkg", now.getTime()),
        customer_id: actor.id,
        technician_id: null,
        service,
        description: optionalText(input.description, "description", 2000),
        location: optionalText(input.location, "location", 200),
        scheduled_for: scheduledFor,
        status: "pending_payment" as const,
        cancel_reason: null,
        created_at: at,
        updated_at: at,
      };
      const fee = {
        id: newId("fee", now.getTime()),
        booking_id: booking.id,
        amount: config.bookingFeeKes,
        currency: "KES",
        status: "pending" as const,
        paid_transaction_id: null,
        created_at: at,
        updated_at: at,
      };
      try {
        await db.kysely.transaction().execute((trx) => insertBookingWithFee(trx, booking, fee));
      } catch (error) {
        // A valid session for an account that no longer exists (deleted, or the database was reset).
        if (isForeignKeyViolation(error))
          throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
        throw error;
      }
      return { ...toBooking(booking, fee), payments: [] };
    },

    async list(actor, query) {
      const page = Math.max(1, Math.trunc(query.page ?? 1));
      const limit = Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE_LIMIT)));
      const filter: BookingFilter = {
        scope: scopeFor(actor, query),
        ...(query.status === undefined ? {} : { status: query.status }),
      };
      const [rows, total] = await Promise.all([
        listBookings(db.kysely, filter, { offset: (page - 1) * limit, limit }),
        countBookings(db.kysely, filter),
      ]);
      return {
        bookings: rows.map((row) => toBooking(row, { amount: row.fee_amount, status: row.fee_status })),
        total,
        page,
        pages: Math.ceil(total / limit),
        limit,
      };
    },

    async get(actor, bookingId) {
      const found = await findBookingWithFee(db.kysely, bookingId);
      if (!found || !canSee(actor, found.booking))
        throw new AppError("BOOKING_NOT_FOUND", "No booking with this id is visible to you");
      const [attempts, moneyOut] = await Promise.all([
        listPaymentAttempts(db.kysely, bookingId),
        deps.payouts?.ofBooking(actor, bookingId) ?? {},
      ]);
      const isOwner = found.booking.customer_id === actor.id;
      return {
        ...toBooking(found.booking, found.fee),
        payments: attempts.map((attempt) => toPaymentAttempt(attempt, isOwner)),
        ...moneyOut,
      };
    },
  };
}

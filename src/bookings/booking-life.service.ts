/**
 * A booking's life after its fee is paid (design: escrow.md): `matching` → `assigned` (a technician
 * accepts, or an admin assigns) → `completed` (the fee is released to the technician), or
 * `cancelled` before completion (a held fee is refunded). Each change is one transaction: the
 * booking's compare-and-set, the money (escrow.ts) and an event row. A lost compare-and-set is read
 * again, so the loser of a race gets the refusal the new state calls for. Every refusal has a stable
 * code and changes nothing.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { BookingStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { FeeMoved, refundHeldFee, releaseHeldFee } from "../escrow/escrow.ts";
import type { PayoutsService } from "../payouts/payouts.service.ts";
import type { Actor } from "../users/user.ts";
import { findUserById } from "../users/users.repository.ts";
import type { Booking } from "./booking.ts";
import { type BookingWithFee, findBookingWithFee } from "./booking-fee.repository.ts";
import { insertBookingEvent, moveBooking } from "./booking-life.repository.ts";
import { type BookingsService, canSee } from "./bookings.service.ts";

export interface BookingLifeService {
  /** A technician takes a `matching` booking. */
  accept(actor: Actor, bookingId: string): Promise<Booking>;
  /** An admin gives a `matching` booking to a technician. */
  assign(actor: Actor, bookingId: string, technicianId: string): Promise<Booking>;
  /** The assigned technician (or an admin) says the job is done: the held fee is released. */
  complete(actor: Actor, bookingId: string): Promise<Booking>;
  /** The customer (before assignment) or an admin (before completion) cancels; a held fee is refunded. */
  cancel(actor: Actor, bookingId: string, reason: string): Promise<Booking>;
}

export interface BookingLifeDeps {
  config: Pick<Config, "escrow">;
  db: Db;
  clock: Clock;
  bookings: BookingsService;
  payouts: Pick<PayoutsService, "announce">;
}

class LostRace extends Error {}
const MAX_ATTEMPTS = 4;
export const CANCEL_REASON_MAX = 500;

const notFound = () => new AppError("BOOKING_NOT_FOUND", "No booking with this id is visible to you");
const notAvailable = (status: BookingStatus) =>
  new AppError("BOOKING_NOT_AVAILABLE", "This booking is not open to take any more", { status });
const phoneRequired = (whose: "your" | "the technician's") =>
  new AppError(
    "TECHNICIAN_PHONE_REQUIRED",
    `Add an M-Pesa phone number to ${whose} account first: payouts are sent there`,
  );

/** Who may cancel a booking in which status. */
function mayCancel(actor: Actor, status: BookingStatus): boolean {
  if (actor.role === "customer") return status === "pending_payment" || status === "matching";
  if (actor.role === "admin")
    return status === "pending_payment" || status === "matching" || status === "assigned";
  return false;
}

export function createBookingLifeService(deps: BookingLifeDeps): BookingLifeService {
  const { db, clock, config } = deps;

  /** Runs `decide` on a fresh read until its compare-and-set wins (or it refuses). */
  async function withFreshBooking(bookingId: string, decide: (found: BookingWithFee) => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      const found = await findBookingWithFee(db.kysely, bookingId);
      if (!found) throw notFound();
      try {
        await decide(found);
        return;
      } catch (error) {
        if ((error instanceof LostRace || error instanceof FeeMoved) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  async function technicianPhone(technicianId: string): Promise<string | null> {
    return (await findUserById(db.kysely, technicianId))?.phone_number ?? null;
  }

  /** A valid session for an account that no longer exists (or lost its role) must not move money. */
  async function requireAccount(actor: Actor) {
    const user = await findUserById(db.kysely, actor.id);
    if (user?.role !== actor.role)
      throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
    return user;
  }

  async function assignTo(
    actor: Actor,
    bookingId: string,
    technicianId: string,
    type: "accepted" | "assigned",
  ) {
    await withFreshBooking(bookingId, async ({ booking, fee }) => {
      // Nobody but its customer knows a booking that was never paid for (still unpaid, or cancelled
      // unpaid): technicians only ever saw paid ones, so only those may answer "not available".
      if (fee.status === "pending" && actor.role !== "admin") throw notFound();
      if (booking.status !== "matching" || booking.technician_id !== null) throw notAvailable(booking.status);
      const at = clock.now();
      await db.kysely.transaction().execute(async (trx) => {
        const move = { bookingId, from: booking.status, to: "assigned" as const, at };
        if (!(await moveBooking(trx, { ...move, technicianBefore: null, technicianAfter: technicianId })))
          throw new LostRace();
        await insertBookingEvent(trx, { ...move, type, actorId: actor.id, data: { technicianId } });
      });
    });
  }

  return {
    async accept(actor, bookingId) {
      if (actor.role !== "technician") throw new AppError("FORBIDDEN", "Only technicians accept bookings");
      if ((await requireAccount(actor)).phone_number === null) throw phoneRequired("your");
      await assignTo(actor, bookingId, actor.id, "accepted");
      return deps.bookings.get(actor, bookingId);
    },

    async assign(actor, bookingId, technicianId) {
      if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Only admins assign bookings");
      await requireAccount(actor);
      const technician = await findUserById(db.kysely, technicianId);
      if (technician?.role !== "technician")
        throw new AppError("TECHNICIAN_NOT_FOUND", "No technician has this id", { technicianId });
      if (technician.phone_number === null) throw phoneRequired("the technician's");
      await assignTo(actor, bookingId, technicianId, "assigned");
      return deps.bookings.get(actor, bookingId);
    },

    async complete(actor, bookingId) {
      await requireAccount(actor);
      let announced: { kind: "payout"; id: string; status: "queued" } | null = null;
      await withFreshBooking(bookingId, async ({ booking, fee }) => {
        if (!canSee(actor, booking)) throw notFound();
        const assignee = booking.technician_id;
        const allowed = actor.role === "admin" || (actor.role === "technician" && assignee === actor.id);
        if (!allowed && actor.role !== "technician")
          throw new AppError("FORBIDDEN", "Only the technician or an admin completes a job");
        if (!allowed || booking.status !== "assigned" || assignee === null)
          throw new AppError(
            "BOOKING_NOT_COMPLETABLE",
            `This booking is ${booking.status} and cannot be completed by you`,
            {
              status: booking.status,
            },
          );
        if (fee.status !== "held") throw new Error(`assigned booking ${booking.id} has a ${fee.status} fee`);
        const phoneNumber = await technicianPhone(assignee);
        if (phoneNumber === null) throw phoneRequired("the technician's");
        const at = clock.now();
        const release = await db.kysely.transaction().execute(async (trx) => {
          const move = { bookingId, from: "assigned" as const, to: "completed" as const, at };
          if (!(await moveBooking(trx, { ...move, technicianBefore: assignee }))) throw new LostRace();
          const released = await releaseHeldFee(trx, {
            booking,
            fee,
            technician: { id: assignee, phoneNumber },
            commissionPercent: config.escrow.commissionPercent,
            approvalRequired: config.escrow.payoutApproval === "admin",
            at,
          });
          await insertBookingEvent(trx, {
            ...move,
            type: "completed",
            actorId: actor.id,
            data: {
              commission: released.commission,
              technicianShare: released.technicianShare,
              payoutId: released.payout?.id ?? null,
            },
          });
          return released;
        });
        if (release.payout) announced = { kind: "payout", id: release.payout.id, status: "queued" };
      });
      if (announced) deps.payouts.announce(announced);
      return deps.bookings.get(actor, bookingId);
    },

    async cancel(actor, bookingId, reasonInput) {
      const reason = reasonInput.trim();
      if (reason.length === 0 || reason.length > CANCEL_REASON_MAX)
        throw new AppError("VALIDATION_ERROR", `Say why (1 to ${CANCEL_REASON_MAX} characters)`, {
          fields: [{ field: "reason", message: `must be 1–${CANCEL_REASON_MAX} characters` }],
        });
      await requireAccount(actor);
      let announced: { kind: "refund"; id: string; status: "queued" } | null = null;
      await withFreshBooking(bookingId, async ({ booking, fee }) => {
        if (!canSee(actor, booking)) throw notFound();
        if (actor.role === "technician")
          throw new AppError("FORBIDDEN", "Only the customer or an admin cancels a booking");
        if (!mayCancel(actor, booking.status))
          throw new AppError(
            "BOOKING_NOT_CANCELLABLE",
            `This booking is ${booking.status} and cannot be cancelled by you`,
            {
              status: booking.status,
            },
          );
        const at = clock.now();
        const refund = await db.kysely.transaction().execute(async (trx) => {
          const move = { bookingId, from: booking.status, to: "cancelled" as const, at };
          if (
            !(await moveBooking(trx, {
              ...move,
              technicianBefore: booking.technician_id,
              cancelReason: reason,
            }))
          )
            throw new LostRace();
          // A pending fee stays pending: a payment still in flight is then owed back (payments core).
          const refunded =
            fee.status === "held" ? await refundHeldFee(trx, { booking, fee, reason, at }) : null;
          await insertBookingEvent(trx, {
            ...move,
            type: "cancelled",
            actorId: actor.id,
            data: { reason, feeStatus: fee.status, refundId: refunded?.id ?? null },
          });
          return refunded;
        });
        if (refund?.status === "queued") announced = { kind: "refund", id: refund.id, status: "queued" };
      });
      if (announced) deps.payouts.announce(announced);
      return deps.bookings.get(actor, bookingId);
    },
  };
}

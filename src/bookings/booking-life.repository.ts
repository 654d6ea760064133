/**
 * A booking's status changes after payment, as compare-and-set updates: the caller names the
 * status (and technician) it read, and the update happens only if they still hold, so two
 * technicians racing for one booking cannot both win. Plus the booking's event log.
 */
import type { BookingStatus, Executor } from "../db/schema.ts";
import { newId } from "../ids.ts";

export interface BookingMove {
  bookingId: string;
  from: BookingStatus;
  to: BookingStatus;
  /** The technician the caller read (null: nobody assigned). */
  technicianBefore: string | null;
  /** Assigns this technician (accept, assign). */
  technicianAfter?: string;
  cancelReason?: string;
  at: Date;
}

/** True when this call moved the booking. */
export async function moveBooking(executor: Executor, move: BookingMove): Promise<boolean> {
  let query = executor
    .updateTable("bookings")
    .set({
      status: move.to,
      updated_at: move.at.toISOString(),
      ...(move.technicianAfter === undefined ? {} : { technician_id: move.technicianAfter }),
      ...(move.cancelReason === undefined ? {} : { cancel_reason: move.cancelReason }),
    })
    .where("id", "=", move.bookingId)
    .where("status", "=", move.from);
  query =
    move.technicianBefore === null
      ? query.where("technician_id", "is", null)
      : query.where("technician_id", "=", move.technicianBefore);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface NewBookingEvent {
  bookingId: string;
  type: "accepted" | "assigned" | "completed" | "cancelled";
  from: BookingStatus;
  to: BookingStatus;
  actorId: string;
  data: Record<string, unknown>;
  at: Date;
}

export async function insertBookingEvent(executor: Executor, event: NewBookingEvent): Promise<void> {
  await executor
    .insertInto("booking_events")
    .values({
      id: newId("bev", event.at.getTime()),
      booking_id: event.bookingId,
      type: event.type,
      from_status: event.from,
      to_status: event.to,
      actor_id: event.actorId,
      data: JSON.stringify(event.data),
      created_at: event.at.toISOString(),
    })
    .execute();
}

export async function listBookingEvents(executor: Executor, bookingId: string) {
  return executor
    .selectFrom("booking_events")
    .selectAll()
    .where("booking_id", "=", bookingId)
    .orderBy("id")
    .execute();
}

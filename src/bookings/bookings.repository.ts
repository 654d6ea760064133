/** Data access for bookings: plain functions taking a Kysely executor first. */
import type { Insertable } from "kysely";
import type {
  BookingFeeStatus,
  BookingFeesTable,
  BookingRow,
  BookingStatus,
  BookingsTable,
  Executor,
} from "../db/schema.ts";
import type { PaymentAttemptRow } from "./booking.ts";

/** Whose bookings a list may contain. */
export type BookingScope =
  | { kind: "all"; customerId?: string }
  | { kind: "customer"; customerId: string }
  /** A technician's own bookings and those open to take (matching, nobody assigned). */
  | { kind: "technician"; technicianId: string };

export interface BookingFilter {
  scope: BookingScope;
  status?: BookingStatus;
}

export type BookingListRow = BookingRow & { fee_amount: number; fee_status: BookingFeeStatus };

export async function insertBookingWithFee(
  executor: Executor,
  booking: Insertable<BookingsTable>,
  fee: Insertable<BookingFeesTable>,
): Promise<void> {
  await executor.insertInto("bookings").values(booking).execute();
  await executor.insertInto("booking_fees").values(fee).execute();
}

/** True for a foreign-key violation on either engine (PostgreSQL 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

function filtered(executor: Executor, filter: BookingFilter) {
  let query = executor.selectFrom("bookings as b").innerJoin("booking_fees as f", "f.booking_id", "b.id");
  const scope = filter.scope;
  switch (scope.kind) {
    case "all":
      if (scope.customerId !== undefined) query = query.where("b.customer_id", "=", scope.customerId);
      break;
    case "customer":
      query = query.where("b.customer_id", "=", scope.customerId);
      break;
    case "technician": {
      const technicianId = scope.technicianId;
      query = query.where((eb) =>
        eb.or([
          eb("b.technician_id", "=", technicianId),
          eb.and([eb("b.status", "=", "matching"), eb("b.technician_id", "is", null)]),
        ]),
      );
      break;
    }
    default: {
      const _exhaustive: never = scope;
      throw new Error(`Unknown booking scope ${JSON.stringify(_exhaustive)}`);
    }
  }
  if (filter.status !== undefined) query = query.where("b.status", "=", filter.status);
  return query;
}

export async function listBookings(
  executor: Executor,
  filter: BookingFilter,
  page: { offset: number; limit: number },
): Promise<BookingListRow[]> {
  return filtered(executor, filter)
    .selectAll("b")
    .select(["f.amount as fee_amount", "f.status as fee_status"])
    .orderBy("b.created_at", "desc")
    .orderBy("b.id", "desc")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countBookings(executor: Executor, filter: BookingFilter): Promise<number> {
  const row = await filtered(executor, filter)
    .select((eb) => eb.fn.countAll<string | number>().as("total"))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Every payment attempt for a booking, newest first. */
export async function listPaymentAttempts(
  executor: Executor,
  bookingId: string,
): Promise<PaymentAttemptRow[]> {
  return executor
    .selectFrom("payment_transactions")
    .select([
      "id",
      "status",
      "amount",
      "phone_number",
      "mpesa_receipt_number",
      "result_code",
      "result_desc",
      "failure_reason",
      "created_at",
      "completed_at",
    ])
    .where("booking_id", "=", bookingId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** Reading payouts and refunds for the API: pages of them, and the ones of a booking. */
import type { Executor, PayoutRow, PayoutStatus, RefundRow } from "../db/schema.ts";

export interface ListQuery {
  /** Whose items: a technician (payouts) or customer (refunds) id; null for all (admins). */
  ownerId: string | null;
  status: PayoutStatus | null;
  page: number;
  limit: number;
}

export async function listPayouts(
  executor: Executor,
  q: ListQuery,
): Promise<{ rows: PayoutRow[]; total: number }> {
  let base = executor.selectFrom("payouts");
  if (q.ownerId !== null) base = base.where("technician_id", "=", q.ownerId);
  if (q.status !== null) base = base.where("status", "=", q.status);
  const count = await base.select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(q.limit)
    .offset((q.page - 1) * q.limit)
    .execute();
  return { rows, total: Number(count?.n ?? 0) };
}

export async function listRefunds(
  executor: Executor,
  q: ListQuery,
): Promise<{ rows: RefundRow[]; total: number }> {
  let base = executor.selectFrom("refunds");
  if (q.ownerId !== null) base = base.where("customer_id", "=", q.ownerId);
  if (q.status !== null) base = base.where("status", "=", q.status);
  const count = await base.select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(q.limit)
    .offset((q.page - 1) * q.limit)
    .execute();
  return { rows, total: Number(count?.n ?? 0) };
}

/** The payout of a booking's fee, if it was released. */
export async function findPayoutOfBooking(executor: Executor, bookingId: string): Promise<PayoutRow | null> {
  const row = await executor
    .selectFrom("payouts")
    .selectAll()
    .where("booking_id", "=", bookingId)
    .executeTakeFirst();
  return row ?? null;
}

/** The newest refund of a booking (its held fee, or a payment that came too late), if any. */
export async function findRefundOfBooking(executor: Executor, bookingId: string): Promise<RefundRow | null> {
  const row = await executor
    .selectFrom("refunds")
    .selectAll()
    .where("booking_id", "=", bookingId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row ?? null;
}

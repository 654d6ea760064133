/**
 * Payment transactions and their events, as plain functions taking a Kysely executor first (the
 * database or an open transaction). Status changes are compare-and-set: the caller names the facts
 * it read, and the update only happens when they still hold (`numUpdatedRows` says who won).
 */
import type {
  Executor,
  NewPaymentTransaction,
  PaymentStatus,
  PaymentTransactionRow,
  PaymentTransactionUpdate,
} from "../db/schema.ts";
import { newId } from "../ids.ts";

/** The facts a transition was computed from; the update applies only if they are unchanged. */
export interface RowGuard {
  status: PaymentStatus;
  checkoutRequestId: string | null;
  receipt: string | null;
  paidAmount: number | null;
  resultCode: string | null;
}

export function guardOf(row: PaymentTransactionRow): RowGuard {
  return {
    status: row.status,
    checkoutRequestId: row.checkout_request_id,
    receipt: row.mpesa_receipt_number,
    paidAmount: row.paid_amount,
    resultCode: row.result_code,
  };
}

export async function insertTransaction(executor: Executor, row: NewPaymentTransaction): Promise<void> {
  await executor.insertInto("payment_transactions").values(row).execute();
}

export async function findTransaction(executor: Executor, id: string): Promise<PaymentTransactionRow | null> {
  const row = await executor
    .selectFrom("payment_transactions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ?? null;
}

export async function findOpenAttempt(
  executor: Executor,
  feeId: string,
): Promise<PaymentTransactionRow | null> {
  const row = await executor
    .selectFrom("payment_transactions")
    .selectAll()
    .where("open_fee_key", "=", feeId)
    .executeTakeFirst();
  return row ?? null;
}

export async function findByCheckoutRequestId(
  executor: Executor,
  checkoutRequestId: string,
): Promise<PaymentTransactionRow | null> {
  const row = await executor
    .selectFrom("payment_transactions")
    .selectAll()
    .where("checkout_request_id", "=", checkoutRequestId)
    .executeTakeFirst();
  return row ?? null;
}

export async function findByReceipt(
  executor: Executor,
  receipt: string,
): Promise<PaymentTransactionRow | null> {
  const row = await executor
    .selectFrom("payment_transactions")
    .selectAll()
    .where("mpesa_receipt_number", "=", receipt)
    .executeTakeFirst();
  return row ?? null;
}

/** Compare-and-set: true when this call changed the row. */
export async function updateTransactionIf(
  executor: Executor,
  id: string,
  guard: RowGuard,
  patch: PaymentTransactionUpdate,
): Promise<boolean> {
  let query = executor.updateTable("payment_transactions").set(patch).where("id", "=", id);
  query = query.where("status", "=", guard.status);
  query =
    guard.checkoutRequestId === null
      ? query.where("checkout_request_id", "is", null)
      : query.where("checkout_request_id", "=", guard.checkoutRequestId);
  query =
    guard.receipt === null
      ? query.where("mpesa_receipt_number", "is", null)
      : query.where("mpesa_receipt_number", "=", guard.receipt);
  query =
    guard.paidAmount === null
      ? query.where("paid_amount", "is", null)
      : query.where("paid_amount", "=", guard.paidAmount);
  query =
    guard.resultCode === null
      ? query.where("result_code", "is", null)
      : query.where("result_code", "=", guard.resultCode);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface NewPaymentEvent {
  transactionId: string;
  bookingId: string;
  type: string;
  from: PaymentStatus | null;
  to: PaymentStatus;
  data: Record<string, unknown>;
  at: Date;
}

export async function insertPaymentEvent(executor: Executor, event: NewPaymentEvent): Promise<void> {
  await executor
    .insertInto("payment_events")
    .values({
      id: newId("pev", event.at.getTime()),
      transaction_id: event.transactionId,
      booking_id: event.bookingId,
      type: event.type,
      from_status: event.from,
      to_status: event.to,
      data: JSON.stringify(event.data),
      created_at: event.at.toISOString(),
    })
    .execute();
}

/** True when the attempt ever had an unknown push outcome (so a signed callback may teach us its ids). */
export async function hadUnknownPushOutcome(executor: Executor, transactionId: string): Promise<boolean> {
  const row = await executor
    .selectFrom("payment_events")
    .select("id")
    .where("transaction_id", "=", transactionId)
    .where("type", "=", "push_outcome_unknown")
    .executeTakeFirst();
  return row !== undefined;
}

export async function listPaymentEvents(executor: Executor, transactionId: string) {
  return executor
    .selectFrom("payment_events")
    .selectAll()
    .where("transaction_id", "=", transactionId)
    .orderBy("id")
    .execute();
}

/** Attempts one account started for one phone since `since`. */
export async function countPromptsByAccount(
  executor: Executor,
  userId: string,
  phone: string,
  since: Date,
): Promise<number> {
  const row = await executor
    .selectFrom("payment_transactions")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("user_id", "=", userId)
    .where("phone_number", "=", phone)
    .where("created_at", ">=", since.toISOString())
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The different phones one account prompted since `since`. */
export async function phonesPromptedBy(executor: Executor, userId: string, since: Date): Promise<string[]> {
  const rows = await executor
    .selectFrom("payment_transactions")
    .select("phone_number")
    .distinct()
    .where("user_id", "=", userId)
    .where("created_at", ">=", since.toISOString())
    .execute();
  return rows.map((r) => r.phone_number);
}

/** Attempts for a phone since `since` by accounts that have never paid from it. */
export async function countStrangerPrompts(executor: Executor, phone: string, since: Date): Promise<number> {
  const row = await executor
    .selectFrom("payment_transactions as t")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("t.phone_number", "=", phone)
    .where("t.created_at", ">=", since.toISOString())
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("payment_transactions as p")
            .select("p.id")
            .whereRef("p.user_id", "=", "t.user_id")
            .where("p.phone_number", "=", phone)
            .where("p.paid_amount", "is not", null),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** True when this account has paid from this phone before (the PIN was entered on it). */
export async function hasPaidFrom(executor: Executor, userId: string, phone: string): Promise<boolean> {
  const row = await executor
    .selectFrom("payment_transactions")
    .select("id")
    .where("user_id", "=", userId)
    .where("phone_number", "=", phone)
    .where("paid_amount", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}

export interface HistoryQuery {
  userId: string | null;
  status: PaymentStatus | null;
  page: number;
  limit: number;
}

export async function listTransactions(
  executor: Executor,
  q: HistoryQuery,
): Promise<{ rows: PaymentTransactionRow[]; total: number }> {
  let base = executor.selectFrom("payment_transactions");
  if (q.userId !== null) base = base.where("user_id", "=", q.userId);
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

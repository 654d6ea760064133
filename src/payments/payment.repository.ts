/**
 * Payment transactions and their events, as plain functions taking a Kysely executor first (the
 * database or an open transaction). Status changes are compare-and-set: the caller names the facts
 * it read, and the update only happens when they still hold (`numUpdatedRows` says who won).
 */
import type { Insertable } from "kysely";
import { compiledQuery } from "../db/compiled-query.ts";
import type {
  Executor,
  NewPaymentTransaction,
  PaymentEventsTable,
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

export function guardOf(
  row: Pick<
    PaymentTransactionRow,
    "status" | "checkout_request_id" | "mpesa_receipt_number" | "paid_amount" | "result_code"
  >,
): RowGuard {
  return {
    status: row.status,
    checkoutRequestId: row.checkout_request_id,
    receipt: row.mpesa_receipt_number,
    paidAmount: row.paid_amount,
    resultCode: row.result_code,
  };
}

/** What a new payment attempt is made of; everything Daraja tells us later starts empty. */
export type PaymentRowStart = Pick<
  PaymentTransactionRow,
  | "id"
  | "booking_id"
  | "booking_fee_id"
  | "user_id"
  | "phone_number"
  | "amount"
  | "currency"
  | "status"
  | "open_fee_key"
  | "failure_reason"
  | "created_at"
>;

export function newPaymentRow(start: PaymentRowStart): PaymentTransactionRow {
  return {
    ...start,
    merchant_request_id: null,
    checkout_request_id: null,
    mpesa_receipt_number: null,
    result_code: null,
    result_desc: null,
    paid_amount: null,
    paid_phone: null,
    mpesa_transaction_date: null,
    next_check_at: null,
    check_attempts: 0,
    last_queried_at: null,
    lease_owner: null,
    lease_until: null,
    updated_at: start.created_at,
    completed_at: null,
  };
}

const insertRow = compiledQuery((executor, row: NewPaymentTransaction) =>
  executor.insertInto("payment_transactions").values(row),
);

export async function insertTransaction(executor: Executor, row: NewPaymentTransaction): Promise<void> {
  await insertRow(executor, row);
}

const byId = compiledQuery((executor, a: { id: string }) =>
  executor.selectFrom("payment_transactions").selectAll().where("id", "=", a.id),
);

export async function findTransaction(executor: Executor, id: string): Promise<PaymentTransactionRow | null> {
  return (await byId(executor, { id })).rows[0] ?? null;
}

const openFor = compiledQuery((executor, a: { feeId: string }) =>
  executor.selectFrom("payment_transactions").selectAll().where("open_fee_key", "=", a.feeId),
);

export async function findOpenAttempt(
  executor: Executor,
  feeId: string,
): Promise<PaymentTransactionRow | null> {
  return (await openFor(executor, { feeId })).rows[0] ?? null;
}

const updateIf = compiledQuery(
  (executor, a: { id: string; guard: RowGuard; patch: PaymentTransactionUpdate }) => {
    const { guard } = a;
    let query = executor.updateTable("payment_transactions").set(a.patch).where("id", "=", a.id);
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
    return query;
  },
);

/** Compare-and-set: true when this call changed the row. */
export async function updateTransactionIf(
  executor: Executor,
  id: string,
  guard: RowGuard,
  patch: PaymentTransactionUpdate,
): Promise<boolean> {
  const result = await updateIf(executor, { id, guard: { ...guard }, patch });
  return Number(result.numAffectedRows) === 1;
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

const insertEvent = compiledQuery((executor, row: Insertable<PaymentEventsTable>) =>
  executor.insertInto("payment_events").values(row),
);

export async function insertPaymentEvent(executor: Executor, event: NewPaymentEvent): Promise<void> {
  await insertEvent(executor, {
    id: newId("pev", event.at.getTime()),
    transaction_id: event.transactionId,
    booking_id: event.bookingId,
    type: event.type,
    from_status: event.from,
    to_status: event.to,
    data: JSON.stringify(event.data),
    created_at: event.at.toISOString(),
  });
}

export async function listPaymentEvents(executor: Executor, transactionId: string) {
  return executor
    .selectFrom("payment_events")
    .selectAll()
    .where("transaction_id", "=", transactionId)
    .orderBy("id")
    .execute();
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

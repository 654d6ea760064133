/**
 * What applying an event, and checking a callback, read of an attempt, in ONE statement: the row
 * (for a callback only the columns the checks, the state machine, the compare-and-set and the
 * effects use), where its booking fee stands, and for a callback what its checks compare: an
 * unknown push outcome in the attempt's past, and which attempts hold the CheckoutRequestID and
 * receipt it names.
 */
import { compiledQuery } from "../db/compiled-query.ts";
import type {
  BookingFeeStatus,
  BookingStatus,
  Executor,
  PaymentStatus,
  PaymentTransactionRow,
} from "../db/schema.ts";
import { knownEnabledEndpointCount } from "../webhooks/outbox.ts";

/** The columns of an attempt that checking a callback and applying an event use. */
export interface ApplyRow {
  id: string;
  booking_id: string;
  booking_fee_id: string;
  status: PaymentStatus;
  amount: number;
  phone_number: string;
  merchant_request_id: string | null;
  checkout_request_id: string | null;
  mpesa_receipt_number: string | null;
  result_code: string | null;
  paid_amount: number | null;
  paid_phone: string | null;
  mpesa_transaction_date: string | null;
  created_at: string;
  completed_at: string | null;
}

/** Where the attempt's booking fee stands. */
export interface FeeFacts {
  status: BookingFeeStatus;
  paidTransactionId: string | null;
  bookingStatus: BookingStatus;
}

export interface PaymentForApply<R extends ApplyRow = ApplyRow> {
  row: R;
  fee: FeeFacts;
  /**
   * Whether the push's outcome was ever unknown, when the read asked (the callback's does): only
   * such an attempt can have a `push_unconfirmed` review open, so the others skip closing one.
   */
  unknownPush?: boolean;
}

export interface CallbackFacts extends PaymentForApply {
  /** The attempt's push outcome was unknown at some point (its ids may come from a callback). */
  unknownPush: boolean;
  /** The attempt holding the callback's CheckoutRequestID, if any. */
  checkoutOwner: string | null;
  /** The attempt holding the callback's receipt, if any. */
  receiptOwner: string | null;
}

// The fee and booking as scalar subqueries, not joins: on SQLite the joined form of this very
// lookup costs several times as much (measured: 90 µs against 12 µs).
function withFee(executor: Executor, transactionId: string) {
  return executor
    .selectFrom("payment_transactions as t")
    .select((eb) => [
      eb
        .selectFrom("booking_fees as f")
        .select("f.status")
        .whereRef("f.id", "=", "t.booking_fee_id")
        .as("fee_status"),
      eb
        .selectFrom("booking_fees as f")
        .select("f.paid_transaction_id")
        .whereRef("f.id", "=", "t.booking_fee_id")
        .as("fee_paid_by"),
      eb
        .selectFrom("bookings as b")
        .select("b.status")
        .whereRef("b.id", "=", "t.booking_id")
        .as("booking_status"),
    ])
    .where("t.id", "=", transactionId);
}

type FeeColumns = {
  fee_status: BookingFeeStatus | null;
  fee_paid_by: string | null;
  booking_status: BookingStatus | null;
};

/** Where the fee stands; null when the fee or booking is missing (foreign keys forbid it). */
function feeOf(r: FeeColumns): FeeFacts | null {
  if (r.fee_status === null || r.booking_status === null) return null;
  return { status: r.fee_status, paidTransactionId: r.fee_paid_by, bookingStatus: r.booking_status };
}

const readForApply = compiledQuery((executor, a: { transactionId: string }) =>
  withFee(executor, a.transactionId).selectAll("t"),
);

/** The whole row and its fee, for `applyPaymentEvent` (whose answer carries the row). */
export async function findPaymentForApply(
  executor: Executor,
  transactionId: string,
): Promise<PaymentForApply<PaymentTransactionRow> | null> {
  const found = (await readForApply(executor, { transactionId })).rows[0];
  if (!found) return null;
  const { fee_status, fee_paid_by, booking_status, ...row } = found;
  const fee = feeOf({ fee_status, fee_paid_by, booking_status });
  return fee ? { row, fee } : null;
}

const readForCallback = compiledQuery(
  (executor, a: { transactionId: string; checkoutRequestId: string; receipt: string | null }) =>
    withFee(executor, a.transactionId)
      .select([
        "t.id",
        "t.booking_id",
        "t.booking_fee_id",
        "t.status",
        "t.amount",
        "t.phone_number",
        "t.merchant_request_id",
        "t.checkout_request_id",
        "t.mpesa_receipt_number",
        "t.result_code",
        "t.paid_amount",
        "t.paid_phone",
        "t.mpesa_transaction_date",
        "t.created_at",
        "t.completed_at",
      ])
      .select((eb) => [
        eb
          .exists(
            eb
              .selectFrom("payment_events as e")
              .select("e.id")
              .whereRef("e.transaction_id", "=", "t.id")
              .where("e.type", "=", "push_outcome_unknown"),
          )
          .as("unknown_push"),
        eb
          .selectFrom("payment_transactions as c")
          .select("c.id")
          .where("c.checkout_request_id", "=", a.checkoutRequestId)
          .as("checkout_owner"),
        eb
          .selectFrom("payment_transactions as r")
          .select("r.id")
          // No receipt: a comparison with NULL finds no one.
          .where("r.mpesa_receipt_number", "=", a.receipt)
          .as("receipt_owner"),
        // Whether the webhooks this change emits have anyone to go to (saves their own read).
        eb
          .selectFrom("webhook_endpoints as w")
          .select((w) => w.fn.countAll<number | string>().as("n"))
          .where("w.enabled", "=", 1)
          .as("enabled_endpoints"),
      ]),
);

/**
 * The attempt a callback names, with everything its checks and its application need. Inside a
 * transaction it also tells the webhook outbox when no endpoint is enabled, so the events the
 * change emits skip their own read.
 */
export async function findPaymentForCallback(
  executor: Executor,
  transactionId: string,
  names: { checkoutRequestId: string; receipt: string | null },
): Promise<CallbackFacts | null> {
  const found = (await readForCallback(executor, { transactionId, ...names })).rows[0];
  if (!found) return null;
  const {
    fee_status,
    fee_paid_by,
    booking_status,
    unknown_push,
    checkout_owner,
    receipt_owner,
    enabled_endpoints,
    ...row
  } = found;
  const fee = feeOf({ fee_status, fee_paid_by, booking_status });
  if (!fee) return null;
  knownEnabledEndpointCount(executor, Number(enabled_endpoints));
  return {
    row,
    fee,
    // 0/1 on SQLite, a boolean on PostgreSQL.
    unknownPush: Boolean(unknown_push),
    checkoutOwner: checkout_owner ?? null,
    receiptOwner: receipt_owner ?? null,
  };
}

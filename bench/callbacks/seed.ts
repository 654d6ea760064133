/**
 * Seeds pending STK Push attempts straight into Malipo's schema (users, bookings, fees, attempts),
 * as if the pushes had been accepted, and builds the signed success callback Daraja would send for
 * each. Both the bare baseline and Malipo are then driven with callbacks for their own slice of the
 * same table, so each works against the same history size.
 */

import type { Db } from "../../src/db/database.ts";
import { callbackSignature } from "../../src/payments/callback-url.ts";
import type { Secret } from "../../src/secret.ts";

export interface SeededAttempt {
  transactionId: string;
  bookingId: string;
  feeId: string;
  merchantRequestId: string;
  checkoutRequestId: string;
  phone: string;
  amount: number;
}

const BATCH = 400;
export const BENCH_AMOUNT = 500;

function attempt(i: number): SeededAttempt {
  const n = String(i).padStart(9, "0");
  return {
    transactionId: `pay_bench${n}`,
    bookingId: `bkg_bench${n}`,
    feeId: `fee_bench${n}`,
    merchantRequestId: `bench-${n}-1`,
    checkoutRequestId: `ws_CO_01122026${n}`,
    phone: `2547${String(i % 100_000_000).padStart(8, "0")}`,
    amount: BENCH_AMOUNT,
  };
}

/** Inserts `count` pending attempts (one customer owns them all); returns them in order. */
export async function seedPendingAttempts(db: Db, count: number): Promise<SeededAttempt[]> {
  const at = new Date().toISOString();
  await db.kysely
    .insertInto("users")
    .values({
      id: "usr_bench",
      email: "bench-seed@example.com",
      name: "Bench",
      password_hash: "x",
      phone_number: null,
      role: "customer",
      created_at: at,
    })
    .execute();
  const all: SeededAttempt[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => attempt(start + k));
    all.push(...batch);
    await db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto("bookings")
        .values(
          batch.map((a) => ({
            id: a.bookingId,
            customer_id: "usr_bench",
            technician_id: null,
            service: "Plumbing",
            description: null,
            location: "Kilimani",
            scheduled_for: null,
            status: "pending_payment" as const,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
      await trx
        .insertInto("booking_fees")
        .values(
          batch.map((a) => ({
            id: a.feeId,
            booking_id: a.bookingId,
            amount: a.amount,
            currency: "KES",
            status: "pending" as const,
            paid_transaction_id: null,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
      await trx
        .insertInto("payment_transactions")
        .values(
          batch.map((a) => ({
            id: a.transactionId,
            booking_id: a.bookingId,
            booking_fee_id: a.feeId,
            user_id: "usr_bench",
            phone_number: a.phone,
            amount: a.amount,
            currency: "KES",
            status: "pending" as const,
            open_fee_key: a.feeId,
            merchant_request_id: a.merchantRequestId,
            checkout_request_id: a.checkoutRequestId,
            // Far in the future: the reconciler (off in the benchmark anyway) would not touch them.
            next_check_at: "2999-01-01T00:00:00.000Z",
            check_attempts: 0,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    });
  }
  return all;
}

/** Receipt number of the i-th callback: 10 upper-case alphanumerics, unique per attempt. */
function receipt(i: number): string {
  return `UL${i.toString(36).toUpperCase().padStart(8, "0")}`;
}

export interface BenchCallback {
  transactionId: string;
  /** Path and query as Daraja would call it (signed like Malipo signs its CallBackURL). */
  path: string;
  body: string;
}

/** The success callback Daraja sends for a paid attempt, on its signed URL. */
export function successCallback(secret: Secret, a: SeededAttempt, index: number): BenchCallback {
  const sig = callbackSignature(secret, a.transactionId);
  const body = JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: a.merchantRequestId,
        CheckoutRequestID: a.checkoutRequestId,
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        CallbackMetadata: {
          Item: [
            { Name: "Amount", Value: a.amount },
            { Name: "MpesaReceiptNumber", Value: receipt(index) },
            { Name: "Balance" },
            { Name: "TransactionDate", Value: 20261201102115 },
            { Name: "PhoneNumber", Value: Number(a.phone) },
          ],
        },
      },
    },
  });
  return {
    transactionId: a.transactionId,
    path: `/api/v1/payments/mpesa/callback?tx=${encodeURIComponent(a.transactionId)}&sig=${sig}`,
    body,
  };
}

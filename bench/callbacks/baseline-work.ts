/**
 * What the bare baselines do for one success callback, engine-neutral: check the URL signature,
 * parse the body once, read the attempt (a few columns), check the ids, amount and phone against
 * it, and list the durable writes Malipo makes for the same callback — the callback with its
 * verdict, the attempt completed, the ledger transfer and its two entries, the fee held, the booking
 * moved to matching, the event appended — for the engine's driver to run in ONE transaction.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export interface AttemptColumns {
  id: string;
  booking_id: string;
  booking_fee_id: string;
  status: string;
  amount: number;
  phone_number: string;
  merchant_request_id: string | null;
  checkout_request_id: string | null;
}

export const FIND_ATTEMPT =
  "SELECT id, booking_id, booking_fee_id, status, amount, phone_number, merchant_request_id, checkout_request_id FROM payment_transactions WHERE id = $1";

/** The writes, in order; `$n` placeholders (the SQLite driver rewrites them to `?`). */
export const WRITES = {
  insertCallback:
    "INSERT INTO mpesa_callbacks (id, transaction_id, checkout_request_id, merchant_request_id, result_code, source_ip, signature_valid, raw_body, verdict, reason, received_at, processed_at, lease_until) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, 'accepted', NULL, $8, $8, NULL)",
  completeAttempt:
    "UPDATE payment_transactions SET status = 'completed', open_fee_key = NULL, mpesa_receipt_number = $1, result_code = '0', result_desc = $2, paid_amount = $3, paid_phone = $4, mpesa_transaction_date = $5, next_check_at = NULL, updated_at = $6, completed_at = $6 WHERE id = $7 AND status = 'pending'",
  insertTransfer:
    "INSERT INTO ledger_transfers (id, transfer_key, kind, transaction_id, booking_fee_id, amount, created_at) VALUES ($1, $2, 'fee_paid', $3, $4, $5, $6)",
  insertEntries:
    "INSERT INTO ledger_entries (id, transfer_id, account_code, amount, created_at) VALUES ($1, $2, 'mpesa_clearing', $3, $4), ($5, $2, 'booking_fee_escrow', $6, $4)",
  holdFee:
    "UPDATE booking_fees SET status = 'held', paid_transaction_id = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
  moveBooking:
    "UPDATE bookings SET status = 'matching', updated_at = $1 WHERE id = $2 AND status = 'pending_payment'",
  insertEvent:
    "INSERT INTO payment_events (id, transaction_id, booking_id, type, from_status, to_status, data, created_at) VALUES ($1, $2, $3, 'callback_paid', 'pending', 'completed', $4, $5)",
} as const;

export type WriteName = keyof typeof WRITES;
export type Write = [WriteName, unknown[]];

export interface ParsedCallback {
  transactionId: string;
  merchantRequestId: string;
  checkoutRequestId: string;
  resultDesc: string;
  amount: number;
  receipt: string;
  phone: string;
  transactionDate: string;
}

/** Signature and body, or null when the callback must be refused. */
export function readCallback(secret: string, url: string, raw: string): ParsedCallback | null {
  const query = new URL(url, "http://x").searchParams;
  const tx = query.get("tx");
  const sig = query.get("sig");
  if (!tx || !sig) return null;
  const expected = Buffer.from(createHmac("sha256", secret).update(tx, "utf8").digest("base64url"));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return null;
  }
  const cb = (body as { Body?: { stkCallback?: Record<string, unknown> } })?.Body?.stkCallback;
  if (cb?.ResultCode !== 0) return null;
  const items = (cb.CallbackMetadata as { Item?: Array<{ Name: string; Value?: unknown }> })?.Item ?? [];
  const item = (name: string) => items.find((i) => i.Name === name)?.Value;
  const receipt = String(item("MpesaReceiptNumber") ?? "");
  if (!/^[A-Z0-9]{10}$/.test(receipt)) return null;
  return {
    transactionId: tx,
    merchantRequestId: String(cb.MerchantRequestID),
    checkoutRequestId: String(cb.CheckoutRequestID),
    resultDesc: String(cb.ResultDesc),
    amount: Number(item("Amount")),
    receipt,
    phone: String(item("PhoneNumber")),
    transactionDate: String(item("TransactionDate")),
  };
}

/** The writes for a callback that matches its attempt, or null when it does not. */
export function writesFor(cb: ParsedCallback, a: AttemptColumns, raw: string, ip: string): Write[] | null {
  if (
    a.status !== "pending" ||
    a.merchant_request_id !== cb.merchantRequestId ||
    a.checkout_request_id !== cb.checkoutRequestId ||
    a.amount !== cb.amount ||
    a.phone_number !== cb.phone
  )
    return null;
  const at = new Date().toISOString();
  const id = () => randomUUID();
  const transferId = id();
  return [
    ["insertCallback", [id(), a.id, cb.checkoutRequestId, cb.merchantRequestId, "0", ip, raw, at]],
    ["completeAttempt", [cb.receipt, cb.resultDesc, cb.amount, cb.phone, cb.transactionDate, at, a.id]],
    ["insertTransfer", [transferId, `mpesa-in:${a.id}`, a.id, a.booking_fee_id, a.amount, at]],
    ["insertEntries", [id(), transferId, a.amount, at, id(), -a.amount]],
    ["holdFee", [a.id, at, a.booking_fee_id]],
    ["moveBooking", [at, a.booking_id]],
    ["insertEvent", [id(), a.id, a.booking_id, JSON.stringify({ source: "callback" }), at]],
  ];
}

export const ACCEPTED = JSON.stringify({ ResultCode: 0, ResultDesc: "Accepted" });
export const REFUSED = JSON.stringify({ ResultCode: 1, ResultDesc: "Rejected" });

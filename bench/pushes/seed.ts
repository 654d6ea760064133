/**
 * Seeds the push benchmark's database straight through better-sqlite3 (fast enough for a million
 * rows): `history` settled attempts spread over many customers and phones — what a busy platform
 * accumulates — and `fresh` customers, each with one booking whose fee is due, for the pushes.
 */
import { createHmac } from "node:crypto";
import SqliteDatabase from "better-sqlite3";

export const PUSH_FEE_KES = 500;
const HISTORY_CUSTOMERS = 5_000;

export interface FreshCustomer {
  token: string;
  bookingId: string;
  phone: string;
}

const at = new Date().toISOString();
const pad = (n: number, width = 9) => String(n).padStart(width, "0");

/** The inserts both seeds use: a customer, a booking in `bookingStatus`, its fee (pending). */
function prepareInserts(db: SqliteDatabase.Database, bookingStatus: "completed" | "pending_payment") {
  return {
    user: db.prepare(
      "insert into users (id, email, name, password_hash, phone_number, role, created_at) values (?, ?, 'Customer', 'x', null, 'customer', ?)",
    ),
    booking: db.prepare(
      `insert into bookings (id, customer_id, technician_id, service, description, location, scheduled_for, status, created_at, updated_at) values (?, ?, null, 'Plumbing', null, 'Kilimani', null, '${bookingStatus}', ?, ?)`,
    ),
    fee: db.prepare(
      "insert into booking_fees (id, booking_id, amount, currency, status, paid_transaction_id, created_at, updated_at) values (?, ?, ?, 'KES', 'pending', null, ?, ?)",
    ),
  };
}

export function seedHistory(file: string, history: number): void {
  const db = new SqliteDatabase(file);
  db.pragma("journal_mode = WAL");
  const { user, booking, fee } = prepareInserts(db, "completed");
  const attempt = db.prepare(
    `insert into payment_transactions (id, booking_id, booking_fee_id, user_id, phone_number, amount, currency, status,
       open_fee_key, merchant_request_id, checkout_request_id, next_check_at, check_attempts, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 'KES', ?, null, ?, ?, null, 0, ?, ?)`,
  );
  db.transaction(() => {
    for (let u = 0; u < HISTORY_CUSTOMERS; u++) user.run(`usr_hist${pad(u)}`, `hist${u}@example.com`, at);
  })();
  const BATCH = 20_000;
  for (let start = 0; start < history; start += BATCH) {
    db.transaction(() => {
      for (let i = start; i < Math.min(history, start + BATCH); i++) {
        const n = pad(i);
        const u = i % HISTORY_CUSTOMERS;
        // Old attempts: a day ago and earlier, outside every prompt-limit window.
        const when = new Date(Date.now() - 86_400_000 - i * 1000).toISOString();
        booking.run(`bkg_hist${n}`, `usr_hist${pad(u)}`, when, when);
        fee.run(`fee_hist${n}`, `bkg_hist${n}`, PUSH_FEE_KES, when, when);
        attempt.run(
          `pay_hist${n}`,
          `bkg_hist${n}`,
          `fee_hist${n}`,
          `usr_hist${pad(u)}`,
          `2547${pad(i % 90_000_000, 8)}`,
          PUSH_FEE_KES,
          i % 3 === 0 ? "failed" : "completed",
          `hist-${n}`,
          `ws_CO_hist${n}`,
          when,
          when,
        );
      }
    })();
  }
  db.close();
}

/** An HS256 session token as Malipo issues them (sub, role, email), valid for an hour. */
export function sessionToken(secret: string, id: string, email: string): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: id, role: "customer", email, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

/** `count` customers with a booking each, fee due; phones distinct from the history's and each other's. */
export function seedFreshCustomers(
  file: string,
  count: number,
  jwtSecret: string,
  tag: string,
): FreshCustomer[] {
  const db = new SqliteDatabase(file);
  db.pragma("journal_mode = WAL");
  const { user, booking, fee } = prepareInserts(db, "pending_payment");
  const customers: FreshCustomer[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `usr_${tag}${pad(i)}`;
      const email = `${tag}${i}@example.com`;
      user.run(id, email, at);
      booking.run(`bkg_${tag}${pad(i)}`, id, at, at);
      fee.run(`fee_${tag}${pad(i)}`, `bkg_${tag}${pad(i)}`, PUSH_FEE_KES, at, at);
      // 2541…: Safaricom-style numbers the history never used (it uses 2547…).
      customers.push({
        token: sessionToken(jwtSecret, id, email),
        bookingId: `bkg_${tag}${pad(i)}`,
        phone: `2541${tag === "a" ? "1" : "2"}${pad(i, 7)}`,
      });
    }
  })();
  db.close();
  return customers;
}

// Frozen in time: migrations never import application code, so they mean the same thing forever.
// Indexes so that no statement of a push or a callback reads a whole table (its cost would grow
// with the history of payments).
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // "Has this account paid from this phone?" (prompt limits): only attempts that were paid, so the
  // answer is one lookup however many prompts either of them had.
  await db.schema
    .createIndex("payment_transactions_payer_idx")
    .on("payment_transactions")
    .columns(["user_id", "phone_number"])
    .where(sql.ref("paid_amount"), "is not", null)
    .execute();
  // A transaction's undecided callbacks, oldest first (once its push settles): on the transaction,
  // not on the verdict (a backlog of undecided callbacks would be read through). It replaces the
  // index on transaction_id alone, which it starts with.
  await db.schema
    .createIndex("mpesa_callbacks_tx_verdict_idx")
    .on("mpesa_callbacks")
    .columns(["transaction_id", "verdict", "received_at"])
    .execute();
  await db.schema.dropIndex("mpesa_callbacks_tx_idx").execute();
  // The entries of a transfer; also what SQLite's foreign-key check on a new transfer looks up.
  await db.schema
    .createIndex("ledger_entries_transfer_idx")
    .on("ledger_entries")
    .columns(["transfer_id"])
    .execute();
  // A booking's payout and newest refund (the booking_fee.* webhook bodies, the booking view).
  await db.schema.createIndex("payouts_booking_idx").on("payouts").columns(["booking_id"]).execute();
  await db.schema
    .createIndex("refunds_booking_idx")
    .on("refunds")
    .columns(["booking_id", "created_at"])
    .execute();
  // The endpoints an event goes to, read in every transaction that emits one.
  await db.schema
    .createIndex("webhook_endpoints_enabled_idx")
    .on("webhook_endpoints")
    .columns(["enabled"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const index of ["webhook_endpoints_enabled_idx", "refunds_booking_idx", "payouts_booking_idx"])
    await db.schema.dropIndex(index).ifExists().execute();
  await db.schema.dropIndex("ledger_entries_transfer_idx").ifExists().execute();
  await db.schema.dropIndex("payment_transactions_payer_idx").ifExists().execute();
  await db.schema
    .createIndex("mpesa_callbacks_tx_idx")
    .on("mpesa_callbacks")
    .columns(["transaction_id"])
    .execute();
  await db.schema.dropIndex("mpesa_callbacks_tx_verdict_idx").ifExists().execute();
}

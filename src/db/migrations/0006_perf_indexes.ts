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
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("ledger_entries_transfer_idx").ifExists().execute();
  await db.schema.dropIndex("payment_transactions_payer_idx").ifExists().execute();
  await db.schema
    .createIndex("mpesa_callbacks_tx_idx")
    .on("mpesa_callbacks")
    .columns(["transaction_id"])
    .execute();
  await db.schema.dropIndex("mpesa_callbacks_tx_verdict_idx").ifExists().execute();
}

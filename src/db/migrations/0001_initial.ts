// Frozen in time: migrations never import application code, so they mean the same thing forever.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("phone_number", "text")
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("bookings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("technician_id", "text", (c) => c.references("users.id"))
    .addColumn("service", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("location", "text")
    .addColumn("scheduled_for", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("bookings_customer_idx")
    .on("bookings")
    .columns(["customer_id", "created_at"])
    .execute();

  await db.schema
    .createTable("booking_fees")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("booking_id", "text", (c) => c.notNull().unique().references("bookings.id"))
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("paid_transaction_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("payment_transactions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("booking_id", "text", (c) => c.notNull().references("bookings.id"))
    .addColumn("booking_fee_id", "text", (c) => c.notNull().references("booking_fees.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("phone_number", "text", (c) => c.notNull())
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("open_fee_key", "text", (c) => c.unique())
    .addColumn("merchant_request_id", "text")
    .addColumn("checkout_request_id", "text", (c) => c.unique())
    .addColumn("mpesa_receipt_number", "text", (c) => c.unique())
    .addColumn("result_code", "text")
    .addColumn("result_desc", "text")
    .addColumn("failure_reason", "text")
    .addColumn("paid_amount", "integer")
    .addColumn("paid_phone", "text")
    .addColumn("mpesa_transaction_date", "text")
    .addColumn("next_check_at", "text")
    .addColumn("check_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_queried_at", "text")
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .execute();
  await db.schema
    .createIndex("payment_transactions_user_idx")
    .on("payment_transactions")
    .columns(["user_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("payment_transactions_due_idx")
    .on("payment_transactions")
    .columns(["status", "next_check_at"])
    .execute();
  await db.schema
    .createIndex("payment_transactions_booking_idx")
    .on("payment_transactions")
    .columns(["booking_id", "created_at"])
    .execute();

  await db.schema
    .createTable("mpesa_callbacks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("transaction_id", "text")
    .addColumn("checkout_request_id", "text")
    .addColumn("merchant_request_id", "text")
    .addColumn("result_code", "text")
    .addColumn("source_ip", "text")
    .addColumn("signature_valid", "integer", (c) => c.notNull())
    .addColumn("raw_body", "text", (c) => c.notNull())
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("processed_at", "text")
    .addColumn("lease_until", "text")
    .execute();
  await db.schema
    .createIndex("mpesa_callbacks_verdict_idx")
    .on("mpesa_callbacks")
    .columns(["verdict", "received_at"])
    .execute();
  await db.schema
    .createIndex("mpesa_callbacks_tx_idx")
    .on("mpesa_callbacks")
    .columns(["transaction_id"])
    .execute();

  await db.schema
    .createTable("payment_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("transaction_id", "text", (c) => c.notNull())
    .addColumn("booking_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("payment_events_tx_idx")
    .on("payment_events")
    .columns(["transaction_id", "id"])
    .execute();

  await db.schema
    .createTable("ledger_accounts")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .execute();
  await db
    .insertInto("ledger_accounts")
    .values([
      { code: "mpesa_clearing", name: "M-Pesa clearing (money at our shortcode)" },
      { code: "booking_fee_escrow", name: "Booking fees held in escrow" },
      { code: "suspense", name: "Suspense (money awaiting a decision)" },
      { code: "customer_refunds_payable", name: "Refunds owed to customers" },
      { code: "technician_payable", name: "Owed to technicians" },
      { code: "platform_revenue", name: "Platform revenue" },
    ])
    .execute();

  await db.schema
    .createTable("ledger_transfers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("transfer_key", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("transaction_id", "text")
    .addColumn("booking_fee_id", "text")
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("transfer_id", "text", (c) => c.notNull().references("ledger_transfers.id"))
    .addColumn("account_code", "text", (c) => c.notNull().references("ledger_accounts.code"))
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ledger_entries_account_idx")
    .on("ledger_entries")
    .columns(["account_code"])
    .execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("response_body", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["user_id", "key"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    "idempotency_keys",
    "ledger_entries",
    "ledger_transfers",
    "ledger_accounts",
    "payment_events",
    "mpesa_callbacks",
    "payment_transactions",
    "booking_fees",
    "bookings",
    "users",
  ])
    await db.schema.dropTable(table).ifExists().execute();
}

// Frozen in time: migrations never import application code, so they mean the same thing forever.
// Escrow out: the booking's life after payment, payouts to technicians, refunds to customers.
import type { CreateTableBuilder, Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

// biome-ignore lint/suspicious/noExplicitAny: the table builder of an untyped schema
type TableBuilder = CreateTableBuilder<string, any>;

/** The columns payouts and refunds share (one state machine moves both). */
function moneyOutColumns(table: TableBuilder): TableBuilder {
  return table
    .addColumn("booking_id", "text", (c) => c.notNull().references("bookings.id"))
    .addColumn("phone_number", "text", (c) => c.notNull())
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("approval_required", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("approved_by", "text", (c) => c.references("users.id"))
    .addColumn("approved_at", "text")
    .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("originator_conversation_id", "text", (c) => c.unique())
    .addColumn("conversation_id", "text", (c) => c.unique())
    .addColumn("receipt", "text", (c) => c.unique())
    .addColumn("result_code", "text")
    .addColumn("result_desc", "text")
    .addColumn("failure_reason", "text")
    .addColumn("submit_started_at", "text")
    .addColumn("submitted_at", "text")
    .addColumn("next_check_at", "text")
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text");
}

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("bookings").addColumn("cancel_reason", "text").execute();
  // Technicians list the bookings open to take (matching, nobody assigned) and their own.
  await db.schema
    .createIndex("bookings_status_idx")
    .on("bookings")
    .columns(["status", "created_at"])
    .execute();
  await db.schema
    .createIndex("bookings_technician_idx")
    .on("bookings")
    .columns(["technician_id", "created_at"])
    .execute();

  await db.schema
    .createTable("booking_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("booking_id", "text", (c) => c.notNull().references("bookings.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("booking_events_booking_idx")
    .on("booking_events")
    .columns(["booking_id", "id"])
    .execute();

  // One payout per booking fee: a released fee can never be paid out twice.
  await moneyOutColumns(
    db.schema
      .createTable("payouts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("booking_fee_id", "text", (c) => c.notNull().unique().references("booking_fees.id"))
      .addColumn("technician_id", "text", (c) => c.notNull().references("users.id")),
  ).execute();
  await db.schema
    .createIndex("payouts_technician_idx")
    .on("payouts")
    .columns(["technician_id", "created_at"])
    .execute();
  await db.schema.createIndex("payouts_due_idx").on("payouts").columns(["status", "next_check_at"]).execute();

  // One refund per payment transaction: one payment is never reversed twice.
  await moneyOutColumns(
    db.schema
      .createTable("refunds")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("booking_fee_id", "text", (c) => c.notNull().references("booking_fees.id"))
      .addColumn("customer_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("transaction_id", "text", (c) => c.notNull().unique().references("payment_transactions.id"))
      .addColumn("original_receipt", "text")
      .addColumn("reason", "text", (c) => c.notNull()),
  ).execute();
  await db.schema
    .createIndex("refunds_customer_idx")
    .on("refunds")
    .columns(["customer_id", "created_at"])
    .execute();
  await db.schema.createIndex("refunds_due_idx").on("refunds").columns(["status", "next_check_at"]).execute();

  await db.schema
    .createTable("payout_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_kind", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("payout_events_item_idx")
    .on("payout_events")
    .columns(["item_kind", "item_id", "id"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ["payout_events", "refunds", "payouts", "booking_events"])
    await db.schema.dropTable(table).ifExists().execute();
  for (const index of ["bookings_technician_idx", "bookings_status_idx"])
    await db.schema.dropIndex(index).ifExists().execute();
  await db.schema.alterTable("bookings").dropColumn("cancel_reason").execute();
}

// Frozen in time: migrations never import application code, so they mean the same thing forever.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // What a person must settle: money that may have been taken without our knowing, a callback that
  // could not be processed. `review_key` makes each item once (`push_unconfirmed:<tx>`, `callback:<id>`).
  await db.schema
    .createTable("payment_reviews")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("review_key", "text", (c) => c.notNull().unique())
    .addColumn("transaction_id", "text", (c) => c.notNull())
    .addColumn("callback_id", "text")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .execute();
  await db.schema
    .createIndex("payment_reviews_open_idx")
    .on("payment_reviews")
    .columns(["resolved_at", "created_at"])
    .execute();

  // Processing failures of a stored callback, so one that keeps failing goes to review instead of
  // being retried forever.
  await db.schema
    .alterTable("mpesa_callbacks")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // Prompts per phone are counted across accounts (the prompt limits).
  await db.schema
    .createIndex("payment_transactions_phone_idx")
    .on("payment_transactions")
    .columns(["phone_number", "created_at"])
    .execute();
  // An Idempotency-Key claim: who holds it (a fencing token, new at every takeover) and the attempt
  // its request created, so a key is never taken over while its push may be in flight.
  await db.schema.alterTable("idempotency_keys").addColumn("claim_id", "text").execute();
  await db.schema.alterTable("idempotency_keys").addColumn("transaction_id", "text").execute();
  // The size of the body as received: an unsigned or unreadable one is kept only in part.
  await db.schema.alterTable("mpesa_callbacks").addColumn("body_bytes", "integer").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable("mpesa_callbacks").dropColumn("body_bytes").execute();
  await db.schema.alterTable("idempotency_keys").dropColumn("transaction_id").execute();
  await db.schema.alterTable("idempotency_keys").dropColumn("claim_id").execute();
  await db.schema.alterTable("mpesa_callbacks").dropColumn("failures").execute();
  await db.schema.dropTable("payment_reviews").ifExists().execute();
}

// Frozen in time: migrations never import application code, so they mean the same thing forever.
// Every B2C, Reversal and Transaction Status result (and queue-timeout notice) Daraja POSTs back,
// stored as received with its verdict, like mpesa_callbacks for STK callbacks.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("payout_results")
    .addColumn("id", "text", (c) => c.primaryKey())
    // b2c_result, b2c_timeout, reversal_result, reversal_timeout, status_result, status_timeout
    .addColumn("route", "text", (c) => c.notNull())
    // The item the signed URL names (as sent, even when the signature is wrong); NULL when absent.
    .addColumn("item_kind", "text")
    .addColumn("item_id", "text")
    .addColumn("signature_valid", "integer", (c) => c.notNull())
    .addColumn("conversation_id", "text")
    .addColumn("originator_conversation_id", "text")
    .addColumn("result_code", "text")
    .addColumn("source_ip", "text")
    .addColumn("raw_body", "text", (c) => c.notNull())
    .addColumn("body_bytes", "integer", (c) => c.notNull())
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("processed_at", "text")
    .addColumn("lease_until", "text")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("payout_results_item_idx")
    .on("payout_results")
    .columns(["item_kind", "item_id", "received_at"])
    .execute();
  await db.schema
    .createIndex("payout_results_undecided_idx")
    .on("payout_results")
    .columns(["verdict", "received_at"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("payout_results").ifExists().execute();
}

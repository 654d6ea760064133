// Frozen in time: migrations never import application code, so they mean the same thing forever.
// A payment review item can be closed by an admin's decision (the money was looked for on the
// statement and is not there, say): who closed it and why are kept with it.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("payment_reviews").addColumn("resolved_by", "text").execute();
  await db.schema.alterTable("payment_reviews").addColumn("resolution_note", "text").execute();
}

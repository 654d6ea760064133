// Frozen in time: migrations never import application code, so they mean the same thing forever.
// Statement reconciliation: each imported M-Pesa statement is a run (once per statement), with the
// discrepancies it found, each a review item until a person decides; and the Account Balance
// answers it is compared with.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design (frozen schema)
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // Account balances carry cents and can exceed 2^31 cents: bigint.
  await db.schema
    .createTable("account_balance_checks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("requested_by", "text", (c) => c.references("users.id"))
    .addColumn("requested_at", "text", (c) => c.notNull())
    // requested → accepted (Daraja took the query) → completed | failed
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("originator_conversation_id", "text")
    .addColumn("conversation_id", "text")
    .addColumn("result_code", "text")
    .addColumn("result_desc", "text")
    .addColumn("working_cents", "bigint")
    .addColumn("utility_cents", "bigint")
    .addColumn("charges_paid_cents", "bigint")
    // JSON: every account the result listed.
    .addColumn("accounts", "text")
    .addColumn("balances_at", "text")
    // mpesa_clearing when the answer arrived, whole KES: what the Utility balance is compared with.
    .addColumn("ledger_clearing_kes", "bigint")
    .addColumn("received_at", "text")
    .addColumn("raw_body", "text")
    .execute();
  await db.schema
    .createIndex("account_balance_checks_received_idx")
    .on("account_balance_checks")
    .columns(["status", "received_at"])
    .execute();

  // One run per statement (UNIQUE hash): importing it again answers the same run.
  await db.schema
    .createTable("reconciliation_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("statement_hash", "text", (c) => c.notNull().unique())
    // upload | cli
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.references("users.id"))
    .addColumn("period_from", "text")
    .addColumn("period_to", "text")
    .addColumn("line_count", "integer", (c) => c.notNull())
    .addColumn("matched_payments", "integer", (c) => c.notNull())
    .addColumn("matched_payouts", "integer", (c) => c.notNull())
    .addColumn("matched_refunds", "integer", (c) => c.notNull())
    .addColumn("charges_count", "integer", (c) => c.notNull())
    .addColumn("charges_cents", "bigint", (c) => c.notNull())
    .addColumn("other_count", "integer", (c) => c.notNull())
    .addColumn("other_cents", "bigint", (c) => c.notNull())
    .addColumn("ignored_count", "integer", (c) => c.notNull())
    .addColumn("paid_in_cents", "bigint", (c) => c.notNull())
    .addColumn("withdrawn_cents", "bigint", (c) => c.notNull())
    .addColumn("statement_movement_cents", "bigint", (c) => c.notNull())
    .addColumn("ledger_movement_cents", "bigint", (c) => c.notNull())
    .addColumn("opening_balance_cents", "bigint")
    .addColumn("closing_balance_cents", "bigint")
    .addColumn("balance_check_id", "text", (c) => c.references("account_balance_checks.id"))
    .addColumn("discrepancy_count", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("reconciliation_runs_created_idx")
    .on("reconciliation_runs")
    .columns(["created_at"])
    .execute();

  await db.schema
    .createTable("reconciliation_discrepancies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text", (c) => c.notNull().references("reconciliation_runs.id"))
    // Order within the run: the statement's lines first, then what only we recorded.
    .addColumn("position", "integer", (c) => c.notNull())
    // The same disagreement in a later run: `missing_here:<receipt>`, `missing_there:payment:<id>` …
    .addColumn("discrepancy_key", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("line_kind", "text")
    .addColumn("line_number", "integer")
    .addColumn("receipt", "text")
    .addColumn("amount_cents", "integer")
    .addColumn("other_party", "text")
    .addColumn("account_number", "text")
    .addColumn("completed_at", "text")
    .addColumn("record_type", "text")
    .addColumn("record_id", "text")
    .addColumn("candidate_transaction_id", "text")
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    // open | resolved
    .addColumn("state", "text", (c) => c.notNull())
    // attached | refunded | resolved | superseded
    .addColumn("resolution", "text")
    .addColumn("resolution_note", "text")
    .addColumn("resolved_by", "text", (c) => c.references("users.id"))
    .addColumn("resolved_at", "text")
    .addColumn("transaction_id", "text", (c) => c.references("payment_transactions.id"))
    .addColumn("refund_id", "text", (c) => c.references("refunds.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("reconciliation_discrepancies_run_idx")
    .on("reconciliation_discrepancies")
    .columns(["run_id", "position"])
    .execute();
  await db.schema
    .createIndex("reconciliation_discrepancies_state_idx")
    .on("reconciliation_discrepancies")
    .columns(["state", "created_at"])
    .execute();
  // One open review item per disagreement, whichever run found it last.
  await db.schema
    .createIndex("reconciliation_discrepancies_open_key")
    .on("reconciliation_discrepancies")
    .column("discrepancy_key")
    .unique()
    .where(sql.ref("state"), "=", "open")
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ["reconciliation_discrepancies", "reconciliation_runs", "account_balance_checks"])
    await db.schema.dropTable(table).ifExists().execute();
}

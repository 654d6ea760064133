/**
 * Importing a statement (use case): match it against our records, then write the run, its
 * discrepancies (each a review item) and a `reconciliation.discrepancy` webhook for each newly found
 * one, in ONE transaction — nothing is half-imported. The same statement (same lines, same period)
 * is one run: importing it again writes nothing and answers that run. A disagreement an earlier run
 * already found is not news: its old item is closed as superseded by the new one, without a webhook.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import type { ReconciliationRunRow } from "../db/schema.ts";
import { enqueueWebhookEvent } from "../webhooks/outbox.ts";
import { latestCompletedCheck } from "./balance-checks.repository.ts";
import { matchStatement } from "./matching.ts";
import { clearingMovement, loadOurRecords } from "./our-records.repository.ts";
import type { Period } from "./our-records.ts";
import { findRunByHash, insertDiscrepancies, insertRun, supersedeOpen } from "./runs.repository.ts";
import type { Statement } from "./statement.ts";
import { statementBalances } from "./statement-balances.ts";
import { toDiscrepancyEvent } from "./views.ts";

export interface StatementImport {
  statement: Statement;
  /** The period the export covers, when known; otherwise its first and last line. */
  period: Period | null;
  source: "upload" | "cli";
  createdBy: string | null;
}

export interface Imported {
  run: ReconciliationRunRow;
  /** False: this statement was imported before; nothing was written. */
  created: boolean;
}

/** The statement's identity: its lines' content in a canonical order, and the period. */
export function statementHash(statement: Statement, period: Period | null): string {
  const lines = statement.lines
    .map((l) =>
      JSON.stringify([
        l.receipt,
        l.completedAt,
        l.initiatedAt,
        l.details,
        l.status,
        l.paidInCents,
        l.withdrawnCents,
        l.balanceCents,
        l.reasonType,
        l.otherParty,
        l.linkedTransactionId,
        l.accountNumber,
      ]),
    )
    .sort();
  const within = period ?? statement.declaredPeriod ?? statement.period;
  const canonical = JSON.stringify({ period: within, lines });
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The statement's own period when neither the import nor the export's preamble names one: its first and last line, the last one to
 * the end of its second (the portal prints whole seconds; our records carry milliseconds).
 */
export function periodOfLines(statement: Statement): Period | null {
  if (statement.period === null) return null;
  return {
    from: statement.period.from,
    to: new Date(Math.floor(Date.parse(statement.period.to) / 1000) * 1000 + 999).toISOString(),
  };
}

export async function importStatement(
  deps: { db: Db; clock: Clock },
  input: StatementImport,
): Promise<Imported> {
  const { db } = deps;
  const hash = statementHash(input.statement, input.period);
  for (let attempt = 1; ; attempt++) {
    const existing = await findRunByHash(db.kysely, hash);
    if (existing) return { run: existing, created: false };
    // Read and match outside the write transaction: a large statement must not hold the database
    // (on SQLite, every other query) while it is matched. What is written is still all or nothing.
    const period = input.period ?? input.statement.declaredPeriod ?? periodOfLines(input.statement);
    const ours = await loadOurRecords(db.kysely, input.statement, period);
    const match = matchStatement(input.statement, ours, period);
    const ledgerMovement = await clearingMovement(db.kysely, period);
    const check = await latestCompletedCheck(db.kysely);
    const balances = statementBalances(input.statement.lines);
    const at = deps.clock.now();
    try {
      return await db.kysely.transaction().execute(async (trx): Promise<Imported> => {
        const raced = await findRunByHash(trx, hash);
        if (raced) return { run: raced, created: false };
        const run = await insertRun(trx, {
          statement_hash: hash,
          source: input.source,
          created_by: input.createdBy,
          period_from: period ? new Date(period.from).toISOString() : null,
          period_to: period ? new Date(period.to).toISOString() : null,
          line_count: match.lineCount,
          matched_payments: match.matched.payments,
          matched_payouts: match.matched.payouts,
          matched_refunds: match.matched.refunds,
          charges_count: match.charges.count,
          charges_cents: match.charges.cents,
          other_count: match.other.count,
          other_cents: match.other.cents,
          ignored_count: match.ignored,
          paid_in_cents: match.paidInCents,
          withdrawn_cents: match.withdrawnCents,
          statement_movement_cents: match.movementCents,
          ledger_movement_cents: ledgerMovement * 100,
          opening_balance_cents: balances.openingCents,
          closing_balance_cents: balances.closingCents,
          balance_check_id: check?.id ?? null,
          discrepancy_count: match.discrepancies.length,
          created_at: at.toISOString(),
        });
        const keys = match.discrepancies.map((d) => d.key);
        const known = await supersedeOpen(trx, keys, run.id, at);
        const rows = await insertDiscrepancies(trx, run.id, match.discrepancies, at);
        for (const row of rows)
          if (!known.has(row.discrepancy_key))
            await enqueueWebhookEvent(trx, {
              type: "reconciliation.discrepancy",
              data: toDiscrepancyEvent(row),
              at,
            });
        return { run, created: true };
      });
    } catch (error) {
      // Another import of this statement committed first (its hash), or one that found the same
      // disagreement (one open item per key): start over, and see what it wrote.
      if (isUniqueViolation(error) && attempt < 3) continue;
      throw error;
    }
  }
}

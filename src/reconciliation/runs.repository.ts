/**
 * Reconciliation runs and their discrepancies, as data functions taking an executor first. A
 * discrepancy is decided once: `decideDiscrepancyIf` is a compare-and-set on `open`, so of two
 * decisions on one item exactly one wins. One item is open per disagreement (`discrepancy_key`, a
 * partial UNIQUE index): a later run that finds it again closes the earlier item as `superseded`.
 */
import { type Insertable, sql } from "kysely";
import {
  DISCREPANCY_KINDS,
  type DiscrepancyKind,
  type Executor,
  type ReconciliationDiscrepanciesTable,
  type ReconciliationDiscrepancyRow,
  type ReconciliationRunRow,
  type ReconciliationRunsTable,
} from "../db/schema.ts";
import { newId } from "../ids.ts";
import type { Discrepancy } from "./matching.ts";

export async function findRunByHash(executor: Executor, hash: string): Promise<ReconciliationRunRow | null> {
  return (
    (await executor
      .selectFrom("reconciliation_runs")
      .selectAll()
      .where("statement_hash", "=", hash)
      .executeTakeFirst()) ?? null
  );
}

export async function findRun(executor: Executor, id: string): Promise<ReconciliationRunRow | null> {
  return (
    (await executor.selectFrom("reconciliation_runs").selectAll().where("id", "=", id).executeTakeFirst()) ??
    null
  );
}

export async function insertRun(
  executor: Executor,
  row: Omit<Insertable<ReconciliationRunsTable>, "id">,
): Promise<ReconciliationRunRow> {
  const id = newId("rec", Date.parse(row.created_at));
  await executor
    .insertInto("reconciliation_runs")
    .values({ id, ...row })
    .execute();
  return (await findRun(executor, id)) as ReconciliationRunRow;
}

export async function listRuns(
  executor: Executor,
  page: { page: number; limit: number },
): Promise<{ rows: ReconciliationRunRow[]; total: number }> {
  const count = await executor
    .selectFrom("reconciliation_runs")
    .select(sql<string | number>`count(*)`.as("n"))
    .executeTakeFirst();
  const rows = await executor
    .selectFrom("reconciliation_runs")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit)
    .offset((page.page - 1) * page.limit)
    .execute();
  return { rows, total: Number(count?.n ?? 0) };
}

export type DiscrepancyCounts = Record<DiscrepancyKind, number> & { open: number };

export function noDiscrepancies(): DiscrepancyCounts {
  const kinds = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as Record<DiscrepancyKind, number>;
  return { ...kinds, open: 0 };
}

/** Per kind, and how many are still open, of each run. */
export async function discrepancyCounts(
  executor: Executor,
  runIds: readonly string[],
): Promise<Map<string, DiscrepancyCounts>> {
  const counts = new Map<string, DiscrepancyCounts>();
  for (const id of runIds) counts.set(id, noDiscrepancies());
  if (runIds.length === 0) return counts;
  const rows = await executor
    .selectFrom("reconciliation_discrepancies")
    .select(["run_id", "kind", "state", sql<string | number>`count(*)`.as("n")])
    .where("run_id", "in", [...runIds])
    .groupBy(["run_id", "kind", "state"])
    .execute();
  for (const row of rows) {
    const c = counts.get(row.run_id);
    if (!c) continue;
    c[row.kind] += Number(row.n);
    if (row.state === "open") c.open += Number(row.n);
  }
  return counts;
}

export async function discrepanciesOfRun(
  executor: Executor,
  runId: string,
): Promise<ReconciliationDiscrepancyRow[]> {
  return executor
    .selectFrom("reconciliation_discrepancies")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("position")
    .execute();
}

export async function findDiscrepancy(
  executor: Executor,
  id: string,
): Promise<ReconciliationDiscrepancyRow | null> {
  return (
    (await executor
      .selectFrom("reconciliation_discrepancies")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Closes the open items of these keys as found again by `runId`; answers the keys that were open
 * (a disagreement already known: no new webhook).
 */
export async function supersedeOpen(
  executor: Executor,
  keys: readonly string[],
  runId: string,
  at: Date,
): Promise<Set<string>> {
  const open = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    const rows = await executor
      .updateTable("reconciliation_discrepancies")
      .set({
        state: "resolved",
        resolution: "superseded",
        resolution_note: `found again by run ${runId}`,
        resolved_at: at.toISOString(),
      })
      .where("state", "=", "open")
      .where("discrepancy_key", "in", part)
      .returning("discrepancy_key")
      .execute();
    for (const row of rows) open.add(row.discrepancy_key);
  }
  return open;
}

export async function insertDiscrepancies(
  executor: Executor,
  runId: string,
  found: readonly Discrepancy[],
  at: Date,
): Promise<ReconciliationDiscrepancyRow[]> {
  const rows: ReconciliationDiscrepanciesTable[] = found.map((d, position) => ({
    id: newId("dsc", at.getTime()),
    run_id: runId,
    position,
    discrepancy_key: d.key,
    kind: d.kind,
    line_kind: d.line?.kind ?? null,
    line_number: d.line?.lineNumber ?? null,
    receipt: d.receipt,
    amount_cents: d.amountCents,
    other_party: d.line?.otherParty || null,
    account_number: d.line?.accountNumber || null,
    completed_at: d.line?.completedAt ?? null,
    record_type: d.record?.type ?? null,
    record_id: d.record?.id ?? null,
    candidate_transaction_id: d.candidate?.transactionId ?? null,
    detail: d.detail,
    details: JSON.stringify(d.details),
    state: "open",
    resolution: null,
    resolution_note: null,
    resolved_by: null,
    resolved_at: null,
    transaction_id: null,
    refund_id: null,
    created_at: at.toISOString(),
  }));
  for (let i = 0; i < rows.length; i += 100)
    await executor
      .insertInto("reconciliation_discrepancies")
      .values(rows.slice(i, i + 100))
      .execute();
  return rows;
}

export interface Decision {
  resolution: "attached" | "refunded" | "resolved";
  note: string;
  adminId: string;
  at: Date;
}

/**
 * Compare-and-set `open` → resolved with the decision: false when someone decided first. Taken
 * first in the decision's transaction, so a concurrent decision waits for it (PostgreSQL's row lock)
 * and then finds it decided.
 */
export async function decideDiscrepancyIf(executor: Executor, id: string, d: Decision): Promise<boolean> {
  const result = await executor
    .updateTable("reconciliation_discrepancies")
    .set({
      state: "resolved",
      resolution: d.resolution,
      resolution_note: d.note,
      resolved_by: d.adminId,
      resolved_at: d.at.toISOString(),
    })
    .where("id", "=", id)
    .where("state", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The payment (and refund) the decided money became. */
export async function linkFoundMoney(
  executor: Executor,
  id: string,
  link: { transactionId: string; refundId: string | null },
): Promise<void> {
  await executor
    .updateTable("reconciliation_discrepancies")
    .set({ transaction_id: link.transactionId, refund_id: link.refundId })
    .where("id", "=", id)
    .execute();
}

/** The open items (the review queue's section), oldest first, and how many there are. */
export async function openDiscrepancies(
  executor: Executor,
  limit: number,
): Promise<{ rows: ReconciliationDiscrepancyRow[]; total: number }> {
  const open = executor.selectFrom("reconciliation_discrepancies").where("state", "=", "open");
  const [rows, count] = await Promise.all([
    open.selectAll().orderBy("created_at").orderBy("run_id").orderBy("position").limit(limit).execute(),
    open.select(sql<string | number>`count(*)`.as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/**
 * When, and by whom, an open attempt is looked at: the query slot (at most one STK Query per
 * attempt per interval, across processes), the reconciler's due list and its leases. Leases are
 * compare-and-set updates (`lease_until IS NULL OR lease_until < now`), portable across engines.
 */
import type { Executor, PaymentTransactionRow } from "../db/schema.ts";

/** Claims the right to ask Daraja about an attempt now: at most once per `minIntervalMs` across processes. */
export async function claimQuerySlot(
  executor: Executor,
  id: string,
  now: Date,
  minIntervalMs: number,
): Promise<boolean> {
  const before = new Date(now.getTime() - minIntervalMs).toISOString();
  const result = await executor
    .updateTable("payment_transactions")
    .set((eb) => ({ last_queried_at: now.toISOString(), check_attempts: eb("check_attempts", "+", 1) }))
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_queried_at", "is", null), eb("last_queried_at", "<=", before)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Open attempts the reconciler should look at now: pending and due, or initiated for too long. */
export async function findDuePayments(
  executor: Executor,
  now: Date,
  staleInitiatedBefore: Date,
  limit: number,
): Promise<PaymentTransactionRow[]> {
  const at = now.toISOString();
  return executor
    .selectFrom("payment_transactions")
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb("status", "=", "pending"), eb("next_check_at", "<=", at)]),
        eb.and([eb("status", "=", "initiated"), eb("created_at", "<=", staleInitiatedBefore.toISOString())]),
      ]),
    )
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", at)]))
    .orderBy("next_check_at")
    .limit(limit)
    .execute();
}

export async function countDuePayments(executor: Executor, now: Date): Promise<number> {
  const row = await executor
    .selectFrom("payment_transactions")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("status", "=", "pending")
    .where("next_check_at", "<=", now.toISOString())
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Leases the rows among `ids` that nobody holds, for `owner` until `until`, and answers them as
 * they now are (a row that changed since it was found is worked on as it is). Portable across
 * engines (no SKIP LOCKED needed).
 */
export async function claimPayments(
  executor: Executor,
  ids: readonly string[],
  owner: string,
  now: Date,
  until: Date,
): Promise<PaymentTransactionRow[]> {
  if (ids.length === 0) return [];
  const at = now.toISOString();
  return executor
    .updateTable("payment_transactions")
    .set({ lease_owner: owner, lease_until: until.toISOString() })
    .where("id", "in", ids)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", at)]))
    .returningAll()
    .execute();
}

export async function releasePayment(executor: Executor, id: string, owner: string): Promise<void> {
  await executor
    .updateTable("payment_transactions")
    .set({ lease_owner: null, lease_until: null })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .execute();
}

/** Moves the next check of a still-open attempt (after a failed query); status untouched. */
export async function rescheduleCheck(executor: Executor, id: string, nextCheckAt: Date): Promise<void> {
  await executor
    .updateTable("payment_transactions")
    .set({ next_check_at: nextCheckAt.toISOString() })
    .where("id", "=", id)
    .where("status", "in", ["initiated", "pending"])
    .execute();
}

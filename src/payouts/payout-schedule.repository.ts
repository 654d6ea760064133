/**
 * When the submitter looks at an item again, outside any transition: after asking Transaction
 * Status (its result moves the item), or after a send Daraja provably never took (rate limit, no
 * connection, a refused token), which also forgets that the send had started so it may be sent again.
 */
import type { Executor, PayoutStatus } from "../db/schema.ts";
import type { ItemRef } from "./payout.repository.ts";

const TABLES = { payout: "payouts", refund: "refunds" } as const;
const shared = (ref: ItemRef) => TABLES[ref.kind] as "payouts";

/** Looks again at `at`, unless the item moved on meanwhile. */
export async function rescheduleItem(
  executor: Executor,
  ref: ItemRef,
  input: { status: PayoutStatus; attempt: number; at: Date },
): Promise<void> {
  await executor
    .updateTable(shared(ref))
    .set({ next_check_at: input.at.toISOString() })
    .where("id", "=", ref.id)
    .where("status", "=", input.status)
    .where("attempt", "=", input.attempt)
    .execute();
}

/**
 * Daraja refused the send before doing anything (the error proves it): the attempt may be sent
 * again, even a reversal. Only for an item still queued in this attempt.
 */
export async function forgetSubmitStart(
  executor: Executor,
  ref: ItemRef,
  input: { attempt: number; retryAt: Date },
): Promise<void> {
  await executor
    .updateTable(shared(ref))
    .set({ submit_started_at: null, next_check_at: input.retryAt.toISOString() })
    .where("id", "=", ref.id)
    .where("status", "=", "queued")
    .where("attempt", "=", input.attempt)
    .execute();
}

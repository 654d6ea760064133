/**
 * Every B2C, Reversal and Transaction Status notice as received (raw body, source address,
 * signature validity), then its verdict. A row stays `received` with `processed_at` NULL until it is
 * decided; the submitter's sweep finishes rows left that way (a crash, a processing failure).
 */
import type { CallbackVerdict, Executor, PayoutResultRoute, PayoutResultRow } from "../db/schema.ts";
import { newId } from "../ids.ts";

export interface NewPayoutResult {
  route: PayoutResultRoute;
  itemKind: string | null;
  itemId: string | null;
  signatureValid: boolean;
  conversationId: string | null;
  originatorConversationId: string | null;
  resultCode: string | null;
  sourceIp: string | null;
  rawBody: string;
  bodyBytes: number;
  at: Date;
}

export async function insertPayoutResult(executor: Executor, r: NewPayoutResult): Promise<PayoutResultRow> {
  const row: PayoutResultRow = {
    id: newId("prs", r.at.getTime()),
    route: r.route,
    item_kind: r.itemKind,
    item_id: r.itemId,
    signature_valid: r.signatureValid ? 1 : 0,
    conversation_id: r.conversationId,
    originator_conversation_id: r.originatorConversationId,
    result_code: r.resultCode,
    source_ip: r.sourceIp,
    raw_body: r.rawBody,
    body_bytes: r.bodyBytes,
    verdict: "received",
    reason: null,
    received_at: r.at.toISOString(),
    processed_at: null,
    lease_until: null,
    failures: 0,
  };
  await executor.insertInto("payout_results").values(row).execute();
  return row;
}

export async function findPayoutResult(executor: Executor, id: string): Promise<PayoutResultRow | null> {
  return (
    (await executor.selectFrom("payout_results").selectAll().where("id", "=", id).executeTakeFirst()) ?? null
  );
}

/** Records the decision once: only a row still `received` changes. */
export async function decidePayoutResult(
  executor: Executor,
  id: string,
  verdict: Exclude<CallbackVerdict, "received">,
  reason: string | null,
  at: Date,
): Promise<boolean> {
  const result = await executor
    .updateTable("payout_results")
    .set({
      verdict,
      reason: reason?.slice(0, 500) ?? null,
      processed_at: at.toISOString(),
      lease_until: null,
    })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Leaves the row undecided, with why it waits (it is decided once its item's send has settled). */
export async function deferPayoutResult(executor: Executor, id: string, reason: string): Promise<void> {
  await executor
    .updateTable("payout_results")
    .set({ reason, lease_until: null })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .execute();
}

/** Signed notices of one item still undecided, oldest first. */
export async function findUndecidedResultsOf(
  executor: Executor,
  ref: { kind: string; id: string },
): Promise<string[]> {
  const rows = await executor
    .selectFrom("payout_results")
    .select("id")
    .where("item_kind", "=", ref.kind)
    .where("item_id", "=", ref.id)
    .where("verdict", "=", "received")
    .where("signature_valid", "=", 1)
    .orderBy("received_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

/** Leases a row still `received` to one processor until `until`. */
export async function claimPayoutResult(
  executor: Executor,
  id: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const result = await executor
    .updateTable("payout_results")
    .set({ lease_until: until.toISOString() })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now.toISOString())]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Counts one more processing failure; answers the new count. */
export async function countPayoutResultFailure(executor: Executor, id: string): Promise<number> {
  await executor
    .updateTable("payout_results")
    .set((eb) => ({ failures: eb("failures", "+", 1) }))
    .where("id", "=", id)
    .execute();
  const row = await executor
    .selectFrom("payout_results")
    .select("failures")
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(row?.failures ?? 0);
}

/** Results stored but not decided, received before `receivedBefore`, not leased by anyone now. */
export async function findUndecidedPayoutResults(
  executor: Executor,
  now: Date,
  receivedBefore: Date,
  limit: number,
): Promise<string[]> {
  const rows = await executor
    .selectFrom("payout_results")
    .select("id")
    .where("verdict", "=", "received")
    .where("received_at", "<=", receivedBefore.toISOString())
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now.toISOString())]))
    .orderBy("received_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The notices stored about one item, in the order they arrived. */
export async function listPayoutResultsOf(
  executor: Executor,
  ref: { kind: string; id: string },
): Promise<PayoutResultRow[]> {
  return executor
    .selectFrom("payout_results")
    .selectAll()
    .where("item_kind", "=", ref.kind)
    .where("item_id", "=", ref.id)
    .orderBy("received_at")
    .orderBy("id")
    .execute();
}

/**
 * The review list: what a person (and later, statement reconciliation) must settle. Items are
 * opened inside the transaction that made them necessary, once each (`review_key` is unique).
 */
import { compiledQuery } from "../db/compiled-query.ts";
import type { Executor } from "../db/schema.ts";
import { newId } from "../ids.ts";

export interface NewReview {
  /** Unique: `push_unconfirmed:<transactionId>`, `callback:<callbackId>`. */
  key: string;
  transactionId: string;
  callbackId?: string | null;
  reason: string;
  details: Record<string, unknown>;
  at: Date;
}

/** Closes an open item that the facts have answered (no person needed any more). */
const closeOpenReview = compiledQuery((executor, a: { key: string; at: string }) =>
  executor
    .updateTable("payment_reviews")
    .set({ resolved_at: a.at })
    .where("review_key", "=", a.key)
    .where("resolved_at", "is", null),
);

export async function closeReview(executor: Executor, key: string, at: Date): Promise<void> {
  await closeOpenReview(executor, { key, at: at.toISOString() });
}

/** Opens the item unless it is already open (or was once): true when this call opened it. */
export async function openReview(executor: Executor, review: NewReview): Promise<boolean> {
  const inserted = await executor
    .insertInto("payment_reviews")
    .values({
      id: newId("rev", review.at.getTime()),
      review_key: review.key,
      transaction_id: review.transactionId,
      callback_id: review.callbackId ?? null,
      reason: review.reason,
      details: JSON.stringify(review.details),
      created_at: review.at.toISOString(),
      resolved_at: null,
      resolved_by: null,
      resolution_note: null,
    })
    .onConflict((oc) => oc.column("review_key").doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

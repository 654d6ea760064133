/**
 * Idempotency keys of `POST /stkpush`, per user. A key is claimed by inserting its row (the primary
 * key makes one claim win); the answer is stored when the request ends, so a repeat gets the first
 * answer and a concurrent repeat waits for it instead of sending a second push.
 *
 * Every claim carries a `claim_id` (a fencing token): a takeover writes a new one, and linking an
 * attempt, storing the answer or releasing the key only works for the claim that still holds it.
 */
import type { Selectable } from "kysely";
import { isUniqueViolation } from "../db/database.ts";
import type { Executor, IdempotencyKeysTable } from "../db/schema.ts";

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** A held claim on a key. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  claimId: string;
}

/** True when this call claimed the key; false when a row already existed. */
export async function claimIdempotencyKey(
  executor: Executor,
  claim: IdempotencyClaim & { requestHash: string; at: Date },
): Promise<boolean> {
  try {
    const inserted = await executor
      .insertInto("idempotency_keys")
      .values({
        user_id: claim.userId,
        key: claim.key,
        request_hash: claim.requestHash,
        status_code: null,
        response_body: null,
        created_at: claim.at.toISOString(),
        claim_id: claim.claimId,
        transaction_id: null,
      })
      .onConflict((oc) => oc.columns(["user_id", "key"]).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function findIdempotencyKey(
  executor: Executor,
  userId: string,
  key: string,
): Promise<IdempotencyRow | null> {
  const row = await executor
    .selectFrom("idempotency_keys")
    .selectAll()
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .executeTakeFirst();
  return row ?? null;
}

function held(executor: Executor, claim: IdempotencyClaim) {
  return executor
    .updateTable("idempotency_keys")
    .where("user_id", "=", claim.userId)
    .where("key", "=", claim.key)
    .where("claim_id", "=", claim.claimId)
    .where("status_code", "is", null);
}

/** Records the attempt the claim's request created; false when the claim was taken over. */
export async function linkAttempt(
  executor: Executor,
  claim: IdempotencyClaim,
  transactionId: string,
): Promise<boolean> {
  const result = await held(executor, claim).set({ transaction_id: transactionId }).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function storeIdempotentAnswer(
  executor: Executor,
  input: IdempotencyClaim & { statusCode: number; body: unknown },
): Promise<void> {
  await held(executor, input)
    .set({ status_code: input.statusCode, response_body: JSON.stringify(input.body) })
    .execute();
}

/** Forgets an unanswered claim (the request failed in a way worth retrying with the same key). */
export async function releaseIdempotencyKey(executor: Executor, claim: IdempotencyClaim): Promise<void> {
  await executor
    .deleteFrom("idempotency_keys")
    .where("user_id", "=", claim.userId)
    .where("key", "=", claim.key)
    .where("claim_id", "=", claim.claimId)
    .where("status_code", "is", null)
    .execute();
}

/** Takes over an unanswered claim for `claim.claimId`, if `previous` still holds it. */
export async function takeOverStaleKey(
  executor: Executor,
  claim: IdempotencyClaim & { previous: IdempotencyRow; at: Date },
): Promise<boolean> {
  let query = executor
    .updateTable("idempotency_keys")
    .set({ created_at: claim.at.toISOString(), claim_id: claim.claimId, transaction_id: null })
    .where("user_id", "=", claim.userId)
    .where("key", "=", claim.key)
    .where("status_code", "is", null)
    .where("created_at", "=", claim.previous.created_at);
  query =
    claim.previous.claim_id === null
      ? query.where("claim_id", "is", null)
      : query.where("claim_id", "=", claim.previous.claim_id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

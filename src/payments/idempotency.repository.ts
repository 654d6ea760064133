/**
 * Idempotency keys of `POST /stkpush`, per user. A key is claimed by inserting its row (the primary
 * key makes one claim win); the answer is stored when the request ends, so a repeat gets the first
 * answer and a concurrent repeat waits for it instead of sending a second push.
 */
import type { Selectable } from "kysely";
import { isUniqueViolation } from "../db/database.ts";
import type { Executor, IdempotencyKeysTable } from "../db/schema.ts";

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** True when this call claimed the key; false when a row already existed. */
export async function claimIdempotencyKey(
  executor: Executor,
  input: { userId: string; key: string; requestHash: string; at: Date },
): Promise<boolean> {
  try {
    const inserted = await executor
      .insertInto("idempotency_keys")
      .values({
        user_id: input.userId,
        key: input.key,
        request_hash: input.requestHash,
        status_code: null,
        response_body: null,
        created_at: input.at.toISOString(),
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

export async function storeIdempotentAnswer(
  executor: Executor,
  input: { userId: string; key: string; statusCode: number; body: unknown },
): Promise<void> {
  await executor
    .updateTable("idempotency_keys")
    .set({ status_code: input.statusCode, response_body: JSON.stringify(input.body) })
    .where("user_id", "=", input.userId)
    .where("key", "=", input.key)
    .execute();
}

/** Forgets an unanswered claim (the request failed in a way worth retrying with the same key). */
export async function releaseIdempotencyKey(executor: Executor, userId: string, key: string): Promise<void> {
  await executor
    .deleteFrom("idempotency_keys")
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .where("status_code", "is", null)
    .execute();
}

/** Takes over a claim whose request never answered (its process died), if it is still the same claim. */
export async function takeOverStaleKey(
  executor: Executor,
  input: { userId: string; key: string; createdAt: string; at: Date },
): Promise<boolean> {
  const result = await executor
    .updateTable("idempotency_keys")
    .set({ created_at: input.at.toISOString() })
    .where("user_id", "=", input.userId)
    .where("key", "=", input.key)
    .where("status_code", "is", null)
    .where("created_at", "=", input.createdAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

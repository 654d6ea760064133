/**
 * Every M-Pesa callback as received (raw body, source address, signature validity), then its
 * verdict. A row stays `received` with `processed_at` NULL until it is decided; the reconciler
 * picks up rows left that way (a crash, a failed Daraja query) and finishes them.
 */
import { compiledQuery } from "../db/compiled-query.ts";
import type { CallbackVerdict, Executor, MpesaCallbackRow } from "../db/schema.ts";
import { newId } from "../ids.ts";

export interface NewCallback {
  transactionId: string | null;
  checkoutRequestId: string | null;
  merchantRequestId: string | null;
  resultCode: string | null;
  sourceIp: string | null;
  signatureValid: boolean;
  rawBody: string;
  bodyBytes: number;
  at: Date;
}

/** A callback as received, not yet stored: `received`, undecided. */
export function newCallbackRow(cb: NewCallback): MpesaCallbackRow {
  return {
    id: newId("cbk", cb.at.getTime()),
    transaction_id: cb.transactionId,
    checkout_request_id: cb.checkoutRequestId,
    merchant_request_id: cb.merchantRequestId,
    result_code: cb.resultCode,
    source_ip: cb.sourceIp,
    signature_valid: cb.signatureValid ? 1 : 0,
    raw_body: cb.rawBody,
    body_bytes: cb.bodyBytes,
    verdict: "received",
    reason: null,
    received_at: cb.at.toISOString(),
    processed_at: null,
    lease_until: null,
    failures: 0,
  };
}

/** The same callback with its verdict, decided at `at`. */
export function withVerdict(
  row: MpesaCallbackRow,
  verdict: Exclude<CallbackVerdict, "received">,
  reason: string | null,
  at: Date,
): MpesaCallbackRow {
  return { ...row, verdict, reason, processed_at: at.toISOString() };
}

const insertRow = compiledQuery((executor, row: MpesaCallbackRow) =>
  executor.insertInto("mpesa_callbacks").values(row),
);

/** Stores a callback: as received, or already with its verdict. */
export async function insertCallback(executor: Executor, row: MpesaCallbackRow): Promise<void> {
  await insertRow(executor, row);
}

export async function findCallback(executor: Executor, id: string): Promise<MpesaCallbackRow | null> {
  const row = await executor
    .selectFrom("mpesa_callbacks")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ?? null;
}

/** Records the decision once: only a row still `received` changes. */
export async function decideCallback(
  executor: Executor,
  id: string,
  verdict: Exclude<CallbackVerdict, "received">,
  reason: string | null,
  at: Date,
): Promise<boolean> {
  const result = await executor
    .updateTable("mpesa_callbacks")
    .set({ verdict, reason, processed_at: at.toISOString(), lease_until: null })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Leaves the row undecided, not to be retried before `retryAt`, with a note of why it waits. */
export async function deferCallback(
  executor: Executor,
  id: string,
  reason: string,
  retryAt: Date,
): Promise<void> {
  await executor
    .updateTable("mpesa_callbacks")
    .set({ reason, lease_until: retryAt.toISOString() })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .execute();
}

/** Callbacks stored but not decided, older than `receivedBefore`, not leased by anyone now. */
export async function findUndecidedCallbacks(
  executor: Executor,
  now: Date,
  receivedBefore: Date,
  limit: number,
): Promise<MpesaCallbackRow[]> {
  const at = now.toISOString();
  return executor
    .selectFrom("mpesa_callbacks")
    .selectAll()
    .where("verdict", "=", "received")
    .where("processed_at", "is", null)
    .where("received_at", "<=", receivedBefore.toISOString())
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", at)]))
    .orderBy("received_at")
    .limit(limit)
    .execute();
}

const undecidedFor = compiledQuery((executor, a: { transactionId: string }) =>
  executor
    .selectFrom("mpesa_callbacks")
    .selectAll()
    .where("transaction_id", "=", a.transactionId)
    .where("verdict", "=", "received")
    .where("signature_valid", "=", 1)
    .orderBy("received_at"),
);

/** Undecided callbacks of one transaction (to finish them as soon as its push settles). */
export async function findUndecidedCallbacksFor(
  executor: Executor,
  transactionId: string,
): Promise<MpesaCallbackRow[]> {
  return (await undecidedFor(executor, { transactionId })).rows;
}

/** Counts one more processing failure; answers the new count. */
export async function countCallbackFailure(executor: Executor, id: string): Promise<number> {
  await executor
    .updateTable("mpesa_callbacks")
    .set((eb) => ({ failures: eb("failures", "+", 1) }))
    .where("id", "=", id)
    .execute();
  const row = await executor
    .selectFrom("mpesa_callbacks")
    .select("failures")
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(row?.failures ?? 0);
}

export async function claimCallback(
  executor: Executor,
  id: string,
  now: Date,
  until: Date,
  options: { takeDeferred?: boolean } = {},
): Promise<boolean> {
  const at = now.toISOString();
  // A claim clears `reason`, which a deferral sets: a lease with a reason is a deferral (nobody is
  // working on the callback), one without is someone processing it now. `takeDeferred` claims a
  // deferred callback before its retry time, never one being processed.
  const result = await executor
    .updateTable("mpesa_callbacks")
    .set({ lease_until: until.toISOString(), reason: null })
    .where("id", "=", id)
    .where("verdict", "=", "received")
    .where((eb) =>
      eb.or([
        eb("lease_until", "is", null),
        eb("lease_until", "<", at),
        ...(options.takeDeferred ? [eb("reason", "is not", null)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Payouts and refunds as plain functions taking a Kysely executor first. Both tables share the
 * columns the state machine moves (`MoneyOutColumns`), so one set of functions serves both, named
 * by an `ItemRef`. Status changes are compare-and-set on the facts the transition was computed from.
 */
import type { Updateable } from "kysely";
import type {
  Executor,
  MoneyOutColumns,
  PayoutEventRow,
  PayoutKind,
  PayoutRow,
  PayoutStatus,
  RefundRow,
} from "../db/schema.ts";
import { newId } from "../ids.ts";

/** Names one payout or refund. */
export interface ItemRef {
  kind: PayoutKind;
  id: string;
}

export type Item = { kind: "payout"; row: PayoutRow } | { kind: "refund"; row: RefundRow };

const TABLES = { payout: "payouts", refund: "refunds" } as const;

// The shared columns have the same names and types in both tables; Kysely cannot see that through
// a union of table names, so shared queries are typed against `payouts`.
const shared = (kind: PayoutKind) => TABLES[kind] as "payouts";

export async function findItem(executor: Executor, ref: ItemRef): Promise<Item | null> {
  if (ref.kind === "payout") {
    const row = await executor.selectFrom("payouts").selectAll().where("id", "=", ref.id).executeTakeFirst();
    return row ? { kind: "payout", row } : null;
  }
  const row = await executor.selectFrom("refunds").selectAll().where("id", "=", ref.id).executeTakeFirst();
  return row ? { kind: "refund", row } : null;
}

/** The item Daraja knows by this ConversationID (results carry it). */
export async function findItemByConversationId(
  executor: Executor,
  kind: PayoutKind,
  conversationId: string,
): Promise<Item | null> {
  const row = await executor
    .selectFrom(shared(kind))
    .select("id")
    .where("conversation_id", "=", conversationId)
    .executeTakeFirst();
  return row ? findItem(executor, { kind, id: row.id }) : null;
}

/** The facts a transition was computed from; the update applies only if they are unchanged. */
export interface ItemGuard {
  status: PayoutStatus;
  attempt: number;
  conversationId: string | null;
  receipt: string | null;
}

export function guardOf(row: MoneyOutColumns): ItemGuard {
  return {
    status: row.status,
    attempt: row.attempt,
    conversationId: row.conversation_id,
    receipt: row.receipt,
  };
}

/** Compare-and-set: true when this call changed the row. */
export async function updateItemIf(
  executor: Executor,
  ref: ItemRef,
  guard: ItemGuard,
  patch: Updateable<MoneyOutColumns>,
): Promise<boolean> {
  let query = executor
    .updateTable(shared(ref.kind))
    .set(patch)
    .where("id", "=", ref.id)
    .where("status", "=", guard.status)
    .where("attempt", "=", guard.attempt);
  query =
    guard.conversationId === null
      ? query.where("conversation_id", "is", null)
      : query.where("conversation_id", "=", guard.conversationId);
  query =
    guard.receipt === null ? query.where("receipt", "is", null) : query.where("receipt", "=", guard.receipt);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface NewPayoutEvent {
  ref: ItemRef;
  type: string;
  from: PayoutStatus | null;
  to: PayoutStatus;
  actorId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export async function insertPayoutEvent(executor: Executor, event: NewPayoutEvent): Promise<void> {
  await executor
    .insertInto("payout_events")
    .values({
      id: newId("poe", event.at.getTime()),
      item_kind: event.ref.kind,
      item_id: event.ref.id,
      type: event.type,
      from_status: event.from,
      to_status: event.to,
      actor_id: event.actorId,
      data: JSON.stringify(event.data),
      created_at: event.at.toISOString(),
    })
    .execute();
}

export async function listPayoutEvents(executor: Executor, ref: ItemRef): Promise<PayoutEventRow[]> {
  return executor
    .selectFrom("payout_events")
    .selectAll()
    .where("item_kind", "=", ref.kind)
    .where("item_id", "=", ref.id)
    .orderBy("id")
    .execute();
}

/**
 * Items the submitter should look at now: queued (and approved, when approval is required),
 * submitted or unknown, due (no next check, or its time has come) and not leased by another
 * worker. `nextStep` says what to do with each.
 */
export async function findDueItems(
  executor: Executor,
  kind: PayoutKind,
  now: Date,
  limit: number,
): Promise<string[]> {
  const at = now.toISOString();
  const rows = await executor
    .selectFrom(shared(kind))
    .select("id")
    .where("status", "in", ["queued", "submitted", "unknown"])
    .where((eb) =>
      eb.or([
        eb("status", "<>", "queued"),
        eb("approval_required", "=", 0),
        eb("approved_at", "is not", null),
      ]),
    )
    .where((eb) => eb.or([eb("next_check_at", "is", null), eb("next_check_at", "<=", at)]))
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", at)]))
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Leases an item to `owner` until `until` (one submitter at a time, across processes). */
export async function claimItem(
  executor: Executor,
  ref: ItemRef,
  owner: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const result = await executor
    .updateTable(shared(ref.kind))
    .set({ lease_owner: owner, lease_until: until.toISOString() })
    .where("id", "=", ref.id)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now.toISOString())]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseItem(executor: Executor, ref: ItemRef, owner: string): Promise<void> {
  await executor
    .updateTable(shared(ref.kind))
    .set({ lease_owner: null, lease_until: null })
    .where("id", "=", ref.id)
    .where("lease_owner", "=", owner)
    .execute();
}

/**
 * Records, BEFORE calling Daraja, that a send of this attempt is starting (and for a payout the
 * OriginatorConversationID it carries), so a crash never leaves a request we do not know about.
 * False when the item is no longer queued in this attempt.
 */
export async function markSubmitStarted(
  executor: Executor,
  ref: ItemRef,
  input: { attempt: number; originatorConversationId: string | null; at: Date },
): Promise<boolean> {
  const result = await executor
    .updateTable(shared(ref.kind))
    .set({
      submit_started_at: input.at.toISOString(),
      updated_at: input.at.toISOString(),
      ...(input.originatorConversationId === null
        ? {}
        : { originator_conversation_id: input.originatorConversationId }),
    })
    .where("id", "=", ref.id)
    .where("status", "=", "queued")
    .where("attempt", "=", input.attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

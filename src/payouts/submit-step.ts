/**
 * One look at one due payout or refund, leased by the caller: what `nextStep` says, done.
 * - submit: record the start (and a payout's OriginatorConversationID) BEFORE calling Daraja, then
 *   send the B2C or the Reversal; Daraja's answer becomes the event. A duplicate
 *   OriginatorConversationID or a lost answer is `submit_outcome_unknown` (Transaction Status
 *   decides); an error that proves nothing was created (rate limit, no connection, a refused token)
 *   forgets the start and tries later; a refusal is `submit_refused`.
 * - mark_unknown: a reversal whose send may have gone out is never sent again.
 * - ask_status: Transaction Status about the item (its result arrives on the signed status URL).
 * - wait_for_result, when due: the result is overdue; Transaction Status is asked at once.
 * - 24 h after the first submission without a final answer: `deadline_passed` (a person decides).
 */
import type { Clock } from "../clock.ts";
import type { DarajaPayoutsApi } from "../daraja/contract.ts";
import { DarajaError, type DarajaOperation } from "../daraja/errors.ts";
import { isDuplicateOriginatorConversationId } from "../daraja/initiator-response.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { findItem, type Item, type ItemRef, markSubmitStarted } from "./payout.repository.ts";
import type { PayoutApplyOutcome, PayoutEventSource } from "./payout-apply.ts";
import { forgetSubmitStart, rescheduleItem } from "./payout-schedule.repository.ts";
import { type ResultUrlConfig, resultUrlsFor } from "./result-urls.ts";
import type { PayoutEvent } from "./state-machine.ts";
import { nextStep, originatorConversationIdFor } from "./submission-policy.ts";
import { deadlineOf, type PayoutTimings } from "./timings.ts";

export interface StepDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  daraja: DarajaPayoutsApi;
  urls: ResultUrlConfig;
  timings: PayoutTimings;
  apply(ref: ItemRef, event: PayoutEvent, source: PayoutEventSource): Promise<PayoutApplyOutcome>;
  /** Decides notices that arrived before the send's answer was recorded. */
  finishWaitingResults(ref: ItemRef): Promise<void>;
}

export type StepOutcome = "sent" | "asked_status" | "moved" | "retry_later" | "nothing";

const refOf = (item: Item): ItemRef => ({ kind: item.kind, id: item.row.id });

/** Kinds of failure that prove Daraja created nothing: the same send may go again later. */
const NOTHING_CREATED = new Set(["rate_limited", "network", "timeout", "server", "authentication"]);

export async function stepItem(deps: StepDeps, ref: ItemRef): Promise<StepOutcome> {
  const item = await findItem(deps.db.kysely, ref);
  if (!item) return "nothing";
  const { row } = item;
  const now = deps.clock.now();
  if (row.next_check_at !== null && new Date(row.next_check_at) > now) return "nothing";
  const deadline = deadlineOf(row, deps.timings);
  if ((row.status === "submitted" || row.status === "unknown") && deadline !== null && now >= deadline)
    return moved(await deps.apply(ref, { type: "deadline_passed" }, "submitter"));
  const step = nextStep(row.status, {
    kind: item.kind,
    approvalRequired: row.approval_required === 1,
    approved: row.approved_at !== null,
    submitStarted: row.submit_started_at !== null,
  });
  switch (step) {
    case "submit":
      return submit(deps, item);
    case "mark_unknown":
      return moved(
        await deps.apply(
          ref,
          { type: "submit_outcome_unknown", reason: "a reversal was being sent when the last try stopped" },
          "submitter",
        ),
      );
    case "ask_status":
      return askStatus(deps, item);
    case "wait_for_result": {
      const overdue = await deps.apply(ref, { type: "result_overdue" }, "submitter");
      const fresh = overdue.applied && overdue.to === "unknown" ? overdue.item : null;
      return fresh ? askStatus(deps, fresh) : moved(overdue);
    }
    case "await_approval":
    case "none":
      return "nothing";
    default: {
      const _exhaustive: never = step;
      return _exhaustive;
    }
  }
}

const moved = (outcome: PayoutApplyOutcome): StepOutcome =>
  outcome.applied && !outcome.duplicate ? "moved" : "nothing";

async function submit(deps: StepDeps, item: Item): Promise<StepOutcome> {
  const ref = refOf(item);
  const { row } = item;
  const at = deps.clock.now();
  const originatorConversationId =
    item.kind === "payout" ? originatorConversationIdFor(row.id, row.attempt) : null;
  // Recorded first: a crash after this line never leaves a request we do not know about.
  if (!(await markSubmitStarted(deps.db.kysely, ref, { attempt: row.attempt, originatorConversationId, at })))
    return "nothing";
  const operation: DarajaOperation = item.kind === "payout" ? "b2c_payment" : "reversal";
  try {
    return await send(deps, item, operation);
  } finally {
    // A result may have come before the answer was recorded: it waited for this. A failure here
    // leaves it for the sweep.
    await deps
      .finishWaitingResults(ref)
      .catch((error) =>
        deps.logger.error({ err: error, [`${ref.kind}Id`]: ref.id }, "waiting notices not finished"),
      );
  }
}

async function send(deps: StepDeps, item: Item, operation: DarajaOperation): Promise<StepOutcome> {
  const ref = refOf(item);
  const { row } = item;
  try {
    const accepted =
      item.kind === "payout"
        ? await deps.daraja.b2cPayment({
            originatorConversationId: originatorConversationIdFor(row.id, row.attempt),
            phoneNumber: row.phone_number,
            amount: row.amount,
            remarks: `Malipo payout ${row.id}`,
            occasion: row.booking_id,
            ...resultUrlsFor(deps.urls, "b2c", ref),
          })
        : await deps.daraja.reversal({
            transactionId: item.row.original_receipt ?? "",
            amount: row.amount,
            remarks: `Malipo refund ${row.id}`,
            occasion: row.booking_id,
            ...resultUrlsFor(deps.urls, "reversal", ref),
          });
    await deps.apply(
      ref,
      {
        type: "submit_accepted",
        conversationId: accepted.conversationId,
        originatorConversationId: accepted.originatorConversationId,
      },
      "submit",
    );
    return "sent";
  } catch (error) {
    if (!(error instanceof DarajaError)) throw error;
    return afterRefusal(deps, item, operation, error);
  }
}

async function afterRefusal(
  deps: StepDeps,
  item: Item,
  operation: DarajaOperation,
  error: DarajaError,
): Promise<StepOutcome> {
  const ref = refOf(item);
  const log = { [`${item.kind}Id`]: item.row.id, err: error.toJSON() };
  if (error.kind === "outcome_unknown")
    return moved(
      await deps.apply(ref, { type: "submit_outcome_unknown", reason: "no readable answer" }, "submit"),
    );
  if (isDuplicateOriginatorConversationId(error)) {
    // No start was on record before this send: it was a first send (or one after Transaction Status
    // found nothing), so Daraja holds a request it has no transaction for.
    const notFoundBefore = item.row.submit_started_at === null;
    const event = { type: "submit_outcome_unknown" as const, reason: "Daraja already holds this request" };
    return moved(await deps.apply(ref, notFoundBefore ? { ...event, notFoundBefore } : event, "submit"));
  }
  if (error.operation !== operation || NOTHING_CREATED.has(error.kind)) {
    const retryAt = new Date(
      deps.clock.now().getTime() + Math.max(deps.timings.statusCheckMs, error.retryAfterMs ?? 0),
    );
    await forgetSubmitStart(deps.db.kysely, ref, { attempt: item.row.attempt, retryAt });
    deps.logger.warn({ ...log, retryAt }, `${item.kind} not sent (Daraja took nothing); trying later`);
    return "retry_later";
  }
  return moved(
    await deps.apply(
      ref,
      {
        type: "submit_refused",
        errorCode: error.errorCode ?? error.kind,
        errorMessage: error.errorMessage ?? error.message,
      },
      "submit",
    ),
  );
}

async function askStatus(deps: StepDeps, item: Item): Promise<StepOutcome> {
  const ref = refOf(item);
  const { row } = item;
  const ids =
    item.kind === "payout"
      ? { originalConversationId: row.originator_conversation_id ?? undefined, party: "payouts" as const }
      : { transactionId: item.row.original_receipt ?? undefined, party: "collections" as const };
  let outcome: StepOutcome = "asked_status";
  try {
    await deps.daraja.transactionStatus({
      ...ids,
      remarks: `Status of ${row.id}`,
      occasion: row.id,
      ...resultUrlsFor(deps.urls, "status", ref),
    });
  } catch (error) {
    if (!(error instanceof DarajaError)) throw error;
    deps.logger.warn(
      { [`${item.kind}Id`]: row.id, err: error.toJSON() },
      "Transaction Status could not be asked",
    );
    outcome = "retry_later";
  }
  // The answer comes on the status URL; until then, do not ask again.
  const at = new Date(deps.clock.now().getTime() + deps.timings.statusCheckMs);
  await rescheduleItem(deps.db.kysely, ref, { status: row.status, attempt: row.attempt, at });
  return outcome;
}

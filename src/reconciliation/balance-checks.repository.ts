/**
 * Account Balance queries and their answers, as data functions taking an executor first. An answer
 * is recorded once, on a check that is still waiting for one (compare-and-set on its status).
 */
import type { Insertable } from "kysely";
import type { AccountBalanceCheckRow, AccountBalanceChecksTable, Executor } from "../db/schema.ts";
import { newId } from "../ids.ts";

export async function insertCheck(
  executor: Executor,
  input: { requestedBy: string | null; at: Date },
): Promise<AccountBalanceCheckRow> {
  const row: Insertable<AccountBalanceChecksTable> = {
    id: newId("bal", input.at.getTime()),
    requested_by: input.requestedBy,
    requested_at: input.at.toISOString(),
    status: "requested",
    originator_conversation_id: null,
    conversation_id: null,
    result_code: null,
    result_desc: null,
    working_cents: null,
    utility_cents: null,
    charges_paid_cents: null,
    accounts: null,
    balances_at: null,
    ledger_clearing_kes: null,
    received_at: null,
    raw_body: null,
  };
  await executor.insertInto("account_balance_checks").values(row).execute();
  return (await findCheck(executor, row.id)) as AccountBalanceCheckRow;
}

export async function findCheck(executor: Executor, id: string): Promise<AccountBalanceCheckRow | null> {
  return (
    (await executor
      .selectFrom("account_balance_checks")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst()) ?? null
  );
}

/** Daraja took the query (its ids), or refused it (failed, with why). */
export async function markSent(
  executor: Executor,
  id: string,
  sent:
    | { accepted: true; originatorConversationId: string; conversationId: string }
    | { accepted: false; code: string | null; description: string; at: Date },
): Promise<void> {
  await executor
    .updateTable("account_balance_checks")
    .set(
      sent.accepted
        ? {
            status: "accepted",
            originator_conversation_id: sent.originatorConversationId,
            conversation_id: sent.conversationId,
          }
        : {
            status: "failed",
            result_code: sent.code,
            result_desc: sent.description,
            received_at: sent.at.toISOString(),
          },
    )
    .where("id", "=", id)
    .where("status", "in", ["requested", "accepted"])
    .execute();
}

export interface BalanceAnswer {
  status: "completed" | "failed";
  resultCode: string | null;
  resultDesc: string | null;
  workingCents: number | null;
  utilityCents: number | null;
  chargesPaidCents: number | null;
  accounts: unknown[] | null;
  balancesAt: string | null;
  ledgerClearingKes: number;
  rawBody: string;
  at: Date;
}

/** Records the answer on a check still waiting for one: false when it already has one. */
export async function recordAnswer(executor: Executor, id: string, a: BalanceAnswer): Promise<boolean> {
  const result = await executor
    .updateTable("account_balance_checks")
    .set({
      status: a.status,
      result_code: a.resultCode,
      result_desc: a.resultDesc,
      working_cents: a.workingCents,
      utility_cents: a.utilityCents,
      charges_paid_cents: a.chargesPaidCents,
      accounts: a.accounts === null ? null : JSON.stringify(a.accounts),
      balances_at: a.balancesAt,
      ledger_clearing_kes: a.ledgerClearingKes,
      received_at: a.at.toISOString(),
      raw_body: a.rawBody,
    })
    .where("id", "=", id)
    .where("status", "in", ["requested", "accepted"])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The latest answered check (what a run compares with). */
export async function latestCompletedCheck(executor: Executor): Promise<AccountBalanceCheckRow | null> {
  return (
    (await executor
      .selectFrom("account_balance_checks")
      .selectAll()
      .where("status", "=", "completed")
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst()) ?? null
  );
}

/** The latest check of any status (what the admin page shows as "last asked"). */
export async function latestCheck(executor: Executor): Promise<AccountBalanceCheckRow | null> {
  return (
    (await executor
      .selectFrom("account_balance_checks")
      .selectAll()
      .orderBy("requested_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst()) ?? null
  );
}

/**
 * The double-entry ledger. Money moves only as transfers: one `ledger_transfers` row (with a unique
 * key, so the same movement can never be posted twice) and exactly two `ledger_entries`, the debit
 * (+amount) and the credit (−amount). Every balance is derived from entries; the sum of all entries
 * is always zero, which `assertLedgerBalanced` proves.
 *
 * Every function takes a Kysely executor first (the database or an open transaction), so a posting
 * commits or rolls back together with the state change that caused it.
 */
import { type Insertable, sql } from "kysely";
import { compiledQuery } from "../db/compiled-query.ts";
import type { Executor, LedgerAccountCode, LedgerTransfersTable } from "../db/schema.ts";
import { newId } from "../ids.ts";

/** Every account, with the meaning it has in the ledger; exhaustive over LedgerAccountCode. */
export const LEDGER_ACCOUNTS: Readonly<Record<LedgerAccountCode, string>> = {
  mpesa_clearing: "M-Pesa clearing (money at our shortcode)",
  booking_fee_escrow: "Booking fees held in escrow",
  suspense: "Suspense (money awaiting a decision)",
  customer_refunds_payable: "Refunds owed to customers",
  technician_payable: "Owed to technicians",
  platform_revenue: "Platform revenue",
};

export const LEDGER_ACCOUNT_CODES = Object.keys(LEDGER_ACCOUNTS) as readonly LedgerAccountCode[];

export interface TransferInput {
  /** Idempotency key of this money movement, e.g. `fee_held:<transactionId>`. */
  key: string;
  /** What the movement is (`fee_held`, `fee_refunded`, `suspense_in`, …); free text for audit. */
  kind: string;
  debit: LedgerAccountCode;
  credit: LedgerAccountCode;
  /** Positive whole KES. */
  amount: number;
  transactionId?: string | null;
  bookingFeeId?: string | null;
  at: Date;
}

export interface PostedTransfer {
  transferId: string;
  /** False when a transfer with this key already existed (nothing was written). */
  posted: boolean;
}

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

/**
 * Posts one transfer. A duplicate key is not an error: it answers `posted: false` with the existing
 * transfer's id, and (thanks to ON CONFLICT DO NOTHING) leaves a PostgreSQL transaction usable.
 */
export async function postTransfer(executor: Executor, t: TransferInput): Promise<PostedTransfer> {
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0)
    throw new LedgerError(`Transfer amount must be a positive whole number of KES (got ${t.amount})`);
  if (t.debit === t.credit) throw new LedgerError(`Transfer ${t.key} debits and credits the same account`);
  if (t.key.length === 0) throw new LedgerError("Transfer key must not be empty");

  const at = t.at.toISOString();
  const id = newId("xfr", t.at.getTime());
  const inserted = (
    await insertTransfer(executor, {
      id,
      transfer_key: t.key,
      kind: t.kind,
      transaction_id: t.transactionId ?? null,
      booking_fee_id: t.bookingFeeId ?? null,
      amount: t.amount,
      created_at: at,
    })
  ).rows[0];

  if (!inserted) {
    const existing = await executor
      .selectFrom("ledger_transfers")
      .select("id")
      .where("transfer_key", "=", t.key)
      .executeTakeFirstOrThrow();
    return { transferId: existing.id, posted: false };
  }

  await insertEntries(executor, {
    transferId: id,
    at,
    debitAmount: t.amount,
    creditAmount: -t.amount,
    debit: t.debit,
    credit: t.credit,
    debitId: newId("ent", t.at.getTime()),
    creditId: newId("ent", t.at.getTime()),
  });
  return { transferId: id, posted: true };
}

const insertTransfer = compiledQuery((executor, row: Insertable<LedgerTransfersTable>) =>
  executor
    .insertInto("ledger_transfers")
    .values(row)
    .onConflict((oc) => oc.column("transfer_key").doNothing())
    .returning("id"),
);

const insertEntries = compiledQuery(
  (
    executor,
    e: {
      transferId: string;
      at: string;
      debitAmount: number;
      creditAmount: number;
      debit: LedgerAccountCode;
      credit: LedgerAccountCode;
      debitId: string;
      creditId: string;
    },
  ) =>
    executor.insertInto("ledger_entries").values([
      {
        id: e.debitId,
        transfer_id: e.transferId,
        account_code: e.debit,
        amount: e.debitAmount,
        created_at: e.at,
      },
      {
        id: e.creditId,
        transfer_id: e.transferId,
        account_code: e.credit,
        amount: e.creditAmount,
        created_at: e.at,
      },
    ]),
);

/** Balance of every account (debits positive, credits negative); accounts without entries are 0. */
export async function accountBalances(executor: Executor): Promise<Record<LedgerAccountCode, number>> {
  const rows = await executor
    .selectFrom("ledger_entries")
    .select(["account_code", sql<string | number>`sum(amount)`.as("balance")])
    .groupBy("account_code")
    .execute();
  const balances = Object.fromEntries(LEDGER_ACCOUNT_CODES.map((code) => [code, 0])) as Record<
    LedgerAccountCode,
    number
  >;
  // PostgreSQL returns SUM over integers as a bigint string.
  for (const row of rows) balances[row.account_code] = Number(row.balance);
  return balances;
}

/** The balance of one account from one payment's transfers (debits positive, credits negative). */
export async function balanceOfPayment(
  executor: Executor,
  account: LedgerAccountCode,
  transactionId: string,
): Promise<number> {
  const row = await executor
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .select(sql<string | number | null>`sum(e.amount)`.as("balance"))
    .where("e.account_code", "=", account)
    .where("t.transaction_id", "=", transactionId)
    .executeTakeFirst();
  return Number(row?.balance ?? 0);
}

/** The sum of every entry; zero in a healthy ledger. */
export async function ledgerSum(executor: Executor): Promise<number> {
  const row = await executor
    .selectFrom("ledger_entries")
    .select(sql<string | number | null>`sum(amount)`.as("total"))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * Throws a LedgerError listing what is wrong when any transfer does not have exactly one debit and
 * one credit of its amount, or when all entries do not sum to zero.
 */
export async function assertLedgerBalanced(executor: Executor): Promise<void> {
  const broken = await executor
    .selectFrom("ledger_transfers as t")
    .leftJoin("ledger_entries as e", "e.transfer_id", "t.id")
    .select([
      "t.transfer_key",
      "t.amount",
      sql<string | number>`count(e.id)`.as("entries"),
      sql<string | number | null>`sum(e.amount)`.as("net"),
      sql<string | number | null>`sum(case when e.amount > 0 then e.amount else 0 end)`.as("debits"),
    ])
    .groupBy(["t.id", "t.transfer_key", "t.amount"])
    .execute();
  const problems: string[] = [];
  for (const row of broken) {
    const entries = Number(row.entries);
    const net = Number(row.net ?? 0);
    const debits = Number(row.debits ?? 0);
    if (entries !== 2 || net !== 0 || debits !== Number(row.amount))
      problems.push(
        `transfer ${row.transfer_key}: ${entries} entries, net ${net}, debits ${debits}, amount ${row.amount}`,
      );
  }
  const orphans = await executor
    .selectFrom("ledger_entries as e")
    .leftJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .select("e.id")
    .where("t.id", "is", null)
    .execute();
  for (const orphan of orphans) problems.push(`entry ${orphan.id} has no transfer`);
  const total = await ledgerSum(executor);
  if (total !== 0) problems.push(`entries sum to ${total}, not 0`);
  if (problems.length > 0) throw new LedgerError(`Ledger is not balanced:\n  ${problems.join("\n  ")}`);
}

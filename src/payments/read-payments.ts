/**
 * Reading payments: one attempt (`GET /status/:id`, which also settles a pending attempt from
 * Daraja when it has waited a while) and the history list.
 */
import type { PaymentStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Actor } from "../users/user.ts";
import type { PaymentsContext } from "./context.ts";
import { findTransaction, listTransactions } from "./payment.repository.ts";
import { settleFromDaraja } from "./settle-from-daraja.ts";
import { canSee, type TransactionView, toTransactionView } from "./transaction-view.ts";

export interface HistoryInput {
  page: number;
  limit: number;
  status?: PaymentStatus | undefined;
  /** Admins only: one customer's transactions. */
  userId?: string | undefined;
}

export interface History {
  success: true;
  count: number;
  total: number;
  page: number;
  pages: number;
  transactions: TransactionView[];
}

/**
 * One attempt as its viewer may see it. A pending attempt older than `statusQueryAfterMs` is first
 * settled from Daraja (at most once per `statusQueryMinIntervalMs` across processes); when Daraja
 * cannot be reached the answer comes from our records.
 */
export async function getStatus(
  ctx: PaymentsContext,
  viewer: Actor,
  transactionId: string,
): Promise<TransactionView> {
  let row = await findTransaction(ctx.db.kysely, transactionId);
  if (!row || !canSee(row, viewer)) throw new AppError("TRANSACTION_NOT_FOUND", "No such transaction");
  const age = ctx.clock.now().getTime() - new Date(row.created_at).getTime();
  if (row.status === "pending" && age >= ctx.timings.statusQueryAfterMs)
    row = (await settleFromDaraja(ctx, row, { source: "status" })).transaction;
  return toTransactionView(row, viewer);
}

export async function listHistory(
  ctx: PaymentsContext,
  viewer: Actor,
  input: HistoryInput,
): Promise<History> {
  const userId = viewer.role === "admin" ? (input.userId ?? null) : viewer.id;
  const { rows, total } = await listTransactions(ctx.db.kysely, {
    userId,
    status: input.status ?? null,
    page: input.page,
    limit: input.limit,
  });
  return {
    success: true,
    count: rows.length,
    total,
    page: input.page,
    pages: Math.ceil(total / input.limit),
    transactions: rows.map((row) => toTransactionView(row, viewer)),
  };
}

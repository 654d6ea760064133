/**
 * An admin decides what becomes of a payment's money held in suspense (`POST
 * /admin/transactions/:id/resolve`): the fee is held after all, or the money is refunded. One
 * payment event through `applyPaymentEvent`, recorded with the admin and the note; the state
 * machine (suspense-decision.ts) says which decisions the facts allow.
 */
import { AppError } from "../errors.ts";
import type { Actor } from "../users/user.ts";
import { findUserById } from "../users/users.repository.ts";
import type { PaymentsContext } from "./context.ts";
import { applyPaymentEvent } from "./payment-apply.ts";
import type { SuspenseAction } from "./suspense-decision.ts";
import { type TransactionView, toTransactionView } from "./transaction-view.ts";

export interface SuspenseDecision {
  transactionId: string;
  action: SuspenseAction;
  note: string;
}

export async function resolveSuspense(
  ctx: PaymentsContext,
  admin: Actor,
  decision: SuspenseDecision,
): Promise<TransactionView> {
  if (admin.role !== "admin") throw new AppError("FORBIDDEN", "Only admins decide on money in suspense");
  // The decision is recorded with the admin: a session of a vanished account cannot decide.
  if ((await findUserById(ctx.db.kysely, admin.id))?.role !== "admin")
    throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
  const outcome = await applyPaymentEvent(
    ctx,
    decision.transactionId,
    { type: "admin_resolve", action: decision.action, adminId: admin.id, note: decision.note },
    "admin",
  );
  if (outcome.transaction === null)
    throw new AppError("TRANSACTION_NOT_FOUND", "No payment with this id", {
      transactionId: decision.transactionId,
    });
  if (!outcome.applied)
    throw new AppError(
      "TRANSACTION_NOT_RESOLVABLE",
      `This payment cannot be resolved so: ${outcome.reason}`,
      {
        status: outcome.transaction.status,
        action: decision.action,
      },
    );
  return toTransactionView(outcome.transaction, admin);
}

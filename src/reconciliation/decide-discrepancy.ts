/**
 * An admin's decision on a discrepancy (use cases), each in ONE transaction that records it (admin,
 * note) together with what it moves:
 * - `attach`: money paid in that we had no record of pays a booking's fee, through the payments
 *   module (found-money.ts: the fee held, or owed back as an overpayment when the fee was paid);
 * - `refund`: that money goes back by Reversal of its receipt (a refund queued via escrow);
 * - `resolve`: anything else, settled by what the person found (a note).
 * The decision is a compare-and-set on the open item, taken first: a second decision on the same
 * item waits for the first and is refused with DISCREPANCY_ALREADY_RESOLVED.
 */
import type { Clock } from "../clock.ts";
import { normalizeMsisdn } from "../daraja/phone.ts";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import type { Executor, ReconciliationDiscrepancyRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { queueOverpaymentRefund } from "../escrow/escrow.ts";
import { FoundMoneyRefused } from "../payments/found-money.ts";
import { LostRace } from "../payments/payment-apply.ts";
import type { Payments } from "../payments/payments.ts";
import { type TransactionView, toTransactionView } from "../payments/transaction-view.ts";
import { type RefundView, toRefundView } from "../payouts/payout-view.ts";
import type { PayoutsService } from "../payouts/payouts.service.ts";
import { closeReviewsOf } from "../review/review-queue.repository.ts";
import type { Actor } from "../users/user.ts";
import { bookingSuffixOf } from "./our-records.repository.ts";
import { decideDiscrepancyIf, findDiscrepancy, linkFoundMoney } from "./runs.repository.ts";
import { type ReconciliationDiscrepancy, toDiscrepancyView } from "./views.ts";

export interface DecisionDeps {
  db: Db;
  clock: Clock;
  payments: Pick<Payments, "creditFoundMoney">;
  payouts: Pick<PayoutsService, "announce">;
}

export interface Decided {
  discrepancy: ReconciliationDiscrepancy;
  /** The payment the found money became (attach, refund). */
  transaction: TransactionView | null;
  refund: RefundView | null;
}

const MAX_ATTEMPTS = 4;

const notFound = (id: string) =>
  new AppError("DISCREPANCY_NOT_FOUND", "No discrepancy with this id", { discrepancyId: id });

function alreadyResolved(row: ReconciliationDiscrepancyRow): AppError {
  return new AppError("DISCREPANCY_ALREADY_RESOLVED", "This discrepancy was already decided", {
    discrepancyId: row.id,
    resolution: row.resolution,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    transactionId: row.transaction_id,
    refundId: row.refund_id,
  });
}

/** The open item, or why it cannot be decided now. */
async function openItem(trx: Executor, id: string): Promise<ReconciliationDiscrepancyRow> {
  const row = await findDiscrepancy(trx, id);
  if (!row) throw notFound(id);
  if (row.state !== "open") throw alreadyResolved(row);
  return row;
}

/** Takes the decision (compare-and-set); throws DISCREPANCY_ALREADY_RESOLVED when another came first. */
async function take(trx: Executor, row: ReconciliationDiscrepancyRow, admin: Actor, d: Decision, at: Date) {
  if (!(await decideDiscrepancyIf(trx, row.id, { ...d, adminId: admin.id, at })))
    throw alreadyResolved((await findDiscrepancy(trx, row.id)) ?? row);
}

interface Decision {
  resolution: "attached" | "refunded" | "resolved";
  note: string;
}

/** The booking this money was meant for when the admin names none: the candidate's, or the account's. */
async function defaultBooking(trx: Executor, row: ReconciliationDiscrepancyRow): Promise<string | null> {
  if (row.candidate_transaction_id !== null) {
    const attempt = await trx
      .selectFrom("payment_transactions")
      .select("booking_id")
      .where("id", "=", row.candidate_transaction_id)
      .executeTakeFirst();
    if (attempt) return attempt.booking_id;
  }
  const suffix = bookingSuffixOf(row.account_number ?? "");
  if (suffix === null) return null;
  const named = await trx.selectFrom("bookings").select("id").where("id", "like", `%${suffix}`).execute();
  return named.length === 1 ? (named[0]?.id ?? null) : null;
}

/**
 * The payer's number: the statement's when it shows it whole, else the attempt's (the phone it
 * prompted paid), else the statement's masked one (`25470****149`: a reversal's recipient is checked
 * against what it shows), else the customer's.
 */
async function payerPhone(trx: Executor, row: ReconciliationDiscrepancyRow, customerId: string) {
  const printed = (row.other_party ?? "").split(" - ")[0]?.trim() ?? "";
  const shown = normalizeMsisdn(printed);
  if (shown !== null) return shown;
  if (row.candidate_transaction_id !== null) {
    const attempt = await trx
      .selectFrom("payment_transactions")
      .select("phone_number")
      .where("id", "=", row.candidate_transaction_id)
      .executeTakeFirst();
    if (attempt) return attempt.phone_number;
  }
  if (/^\+?\d+\*+\d+$/.test(printed)) return printed;
  const customer = await trx
    .selectFrom("users")
    .select("phone_number")
    .where("id", "=", customerId)
    .executeTakeFirst();
  return customer?.phone_number ?? row.other_party ?? "unknown";
}

export async function decideFoundMoney(
  deps: DecisionDeps,
  admin: Actor,
  id: string,
  input: { decision: "pay_fee" | "refund"; bookingId: string | undefined; note: string },
): Promise<Decided> {
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await deps.db.kysely.transaction().execute(async (trx) => {
        const row = await openItem(trx, id);
        const amountCents = row.amount_cents ?? 0;
        if (row.kind !== "missing_here" || row.line_kind !== "payment_in" || row.receipt === null)
          throw new AppError(
            "DISCREPANCY_NOT_ATTACHABLE",
            "Only money paid in that we have no record of can be attached or refunded; resolve this one with a note",
            { kind: row.kind, lineKind: row.line_kind },
          );
        if (amountCents <= 0 || amountCents % 100 !== 0)
          throw new AppError(
            "DISCREPANCY_NOT_ATTACHABLE",
            "Only whole shillings paid in can be attached or refunded",
          );
        const recorded = await trx
          .selectFrom("payment_transactions")
          .select("id")
          .where("mpesa_receipt_number", "=", row.receipt)
          .executeTakeFirst();
        if (recorded)
          throw new AppError(
            "RECEIPT_ALREADY_RECORDED",
            "This receipt has been recorded for a payment since the statement was imported; resolve this item with a note",
            { receipt: row.receipt, transactionId: recorded.id },
          );
        const bookingId = input.bookingId ?? (await defaultBooking(trx, row));
        if (bookingId === null)
          throw new AppError("BOOKING_REQUIRED", "Name the booking this money was meant for (bookingId)");
        const booking = await trx
          .selectFrom("bookings as b")
          .innerJoin("booking_fees as f", "f.booking_id", "b.id")
          .select(["b.id", "b.customer_id", "f.amount"])
          .where("b.id", "=", bookingId)
          .executeTakeFirst();
        if (!booking) throw new AppError("BOOKING_NOT_FOUND", "No booking with this id", { bookingId });
        if (input.decision === "pay_fee" && booking.amount * 100 !== amountCents)
          throw new AppError(
            "DISCREPANCY_NOT_ATTACHABLE",
            `KES ${amountCents / 100} does not pay this booking's KES ${booking.amount} fee; refund it instead`,
            { amountCents, feeAmount: booking.amount },
          );
        const at = deps.clock.now();
        await take(
          trx,
          row,
          admin,
          { resolution: input.decision === "pay_fee" ? "attached" : "refunded", note: input.note },
          at,
        );
        const credited = await deps.payments.creditFoundMoney(
          trx,
          {
            receipt: row.receipt,
            amount: amountCents / 100,
            paidAt: row.completed_at ?? at.toISOString(),
            phone: await payerPhone(trx, row, booking.customer_id),
          },
          {
            decision: input.decision,
            bookingId,
            attemptId: row.candidate_transaction_id,
            adminId: admin.id,
            note: input.note,
            foundBy: row.id,
          },
        );
        // What the payments core put in customer_refunds_payable (a refund, or an overpayment) goes back.
        const refund = await queueOverpaymentRefund(trx, { transactionId: credited.transaction.id, at });
        await linkFoundMoney(trx, row.id, {
          transactionId: credited.transaction.id,
          refundId: refund?.id ?? null,
        });
        // The attempt's "money may have been taken" item is settled by this decision.
        if (row.candidate_transaction_id !== null)
          await closeReviewsOf(trx, row.candidate_transaction_id, at);
        return {
          credited,
          refund,
          row: (await findDiscrepancy(trx, row.id)) as ReconciliationDiscrepancyRow,
        };
      });
      done.credited.announce();
      if (done.refund)
        deps.payouts.announce({ kind: "refund", id: done.refund.id, status: done.refund.status });
      return {
        discrepancy: toDiscrepancyView(done.row),
        transaction: toTransactionView(done.credited.transaction, admin),
        refund: done.refund ? toRefundView(done.refund, admin) : null,
      };
    } catch (error) {
      if (error instanceof LostRace && attempt < MAX_ATTEMPTS) continue;
      if (error instanceof FoundMoneyRefused)
        throw new AppError(
          "DISCREPANCY_NOT_ATTACHABLE",
          `This money cannot be put on the books so: ${error.message}`,
        );
      if (isUniqueViolation(error, "mpesa_receipt_number"))
        throw new AppError(
          "RECEIPT_ALREADY_RECORDED",
          "This receipt was recorded for a payment a moment ago",
        );
      throw error;
    }
  }
}

export async function resolveDiscrepancy(
  deps: Pick<DecisionDeps, "db" | "clock">,
  admin: Actor,
  id: string,
  note: string,
): Promise<Decided> {
  const row = await deps.db.kysely.transaction().execute(async (trx) => {
    const open = await openItem(trx, id);
    await take(trx, open, admin, { resolution: "resolved", note }, deps.clock.now());
    return (await findDiscrepancy(trx, id)) as ReconciliationDiscrepancyRow;
  });
  return { discrepancy: toDiscrepancyView(row), transaction: null, refund: null };
}

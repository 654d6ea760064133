/**
 * The admin review queue (design: escrow.md "Routes"): everything a person must decide in one list
 * — payments under review and the payments' review list, payouts and refunds failed or under
 * review, money in suspense, what statement reconciliation found — and the decision on suspense
 * money, which spans modules: the payment decides (payments.resolveSuspense, recorded with the
 * admin and note), and a refund decided on is queued at once (escrow) and sent by the submitter.
 * Payout and refund decisions are the payouts module's (`retry`, `resolve`); discrepancies are the
 * reconciliation module's. Admins only.
 */
import type { Clock } from "../clock.ts";
import { isCanonicalMsisdn, maskMsisdn } from "../daraja/phone.ts";
import type { Db } from "../db/database.ts";
import type { PaymentReviewRow } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { queueOverpaymentRefund } from "../escrow/escrow.ts";
import type { Payments } from "../payments/payments.ts";
import type { SuspenseAction } from "../payments/suspense-decision.ts";
import { type TransactionView, toTransactionView } from "../payments/transaction-view.ts";
import { type PayoutView, type RefundView, toPayoutView, toRefundView } from "../payouts/payout-view.ts";
import type { PayoutsService } from "../payouts/payouts.service.ts";
import { type ReconciliationDiscrepancy, toDiscrepancyView } from "../reconciliation/views.ts";
import type { Actor } from "../users/user.ts";
import { closePaymentReview, closeReviewsOf, readReviewQueue } from "./review-queue.repository.ts";

export interface ReviewPayment extends TransactionView {
  /** KES of this payment held in suspense (0: none; the decision is then not about money). */
  inSuspense: number;
}

export interface PaymentReviewItem {
  id: string;
  transactionId: string;
  reason: string;
  details: Record<string, unknown>;
  createdAt: string;
}

/** A review item an admin closed: who, when and why. */
export interface ClosedPaymentReview extends PaymentReviewItem {
  resolvedAt: string;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export interface ReviewQueue {
  payments: ReviewPayment[];
  paymentReviews: PaymentReviewItem[];
  payouts: PayoutView[];
  refunds: RefundView[];
  /** Open statement-reconciliation discrepancies (decided by the reconciliation module). */
  discrepancies: ReconciliationDiscrepancy[];
  /** All the money in suspense, KES. */
  suspenseTotal: number;
  counts: {
    payments: number;
    paymentReviews: number;
    payouts: number;
    refunds: number;
    discrepancies: number;
  };
}

export interface ReviewService {
  queue(admin: Actor): Promise<ReviewQueue>;
  /**
   * Closes one payment review item by a decision of its own — the money it says to look for was
   * looked for (on the statement, say) and the admin's note says what was found. Money is not moved:
   * a payment's suspense is decided by `resolveTransaction`, money found on the statement by the
   * reconciliation's attach or refund.
   */
  closePaymentReview(admin: Actor, reviewId: string, note: string): Promise<ClosedPaymentReview>;
  /** Suspense → escrow (`hold_fee`: the fee is held, the booking matching) or → a refund. */
  resolveTransaction(
    admin: Actor,
    transactionId: string,
    decision: { action: SuspenseAction; note: string },
  ): Promise<{ transaction: TransactionView; refund: RefundView | null }>;
}

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  payments: Pick<Payments, "resolveSuspense">;
  payouts: Pick<PayoutsService, "announce">;
}

/**
 * A review item's stored details as an admin sees them: phone numbers masked, as everywhere an
 * admin sees someone else's number (the stored row keeps the full number for the payment's owner).
 */
export function reviewDetailsView(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      const text = typeof v === "number" ? String(v) : v;
      return [key, typeof text === "string" && isCanonicalMsisdn(text) ? maskMsisdn(text) : v];
    }),
  );
}

function toClosedReview(row: PaymentReviewRow): ClosedPaymentReview {
  return {
    id: row.id,
    transactionId: row.transaction_id,
    reason: row.reason,
    details: reviewDetailsView(row.details),
    createdAt: row.created_at,
    resolvedAt: row.resolved_at as string,
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
  };
}

export function createReviewService(deps: ReviewDeps): ReviewService {
  const { db } = deps;
  const requireAdmin = (actor: Actor) => {
    if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Only admins see the review queue");
  };
  return {
    async queue(admin) {
      requireAdmin(admin);
      const rows = await readReviewQueue(db.kysely);
      return {
        payments: rows.payments.map((row) => ({
          ...toTransactionView(row, admin),
          inSuspense: rows.suspense.get(row.id) ?? 0,
        })),
        paymentReviews: rows.paymentReviews.map((r) => ({
          id: r.id,
          transactionId: r.transaction_id,
          reason: r.reason,
          details: reviewDetailsView(r.details),
          createdAt: r.created_at,
        })),
        payouts: rows.payouts.map((row) => toPayoutView(row, admin)),
        refunds: rows.refunds.map((row) => toRefundView(row, admin)),
        discrepancies: rows.discrepancies.map(toDiscrepancyView),
        suspenseTotal: [...rows.suspense.values()].reduce((a, b) => a + b, 0),
        counts: rows.counts,
      };
    },

    async closePaymentReview(admin, reviewId, note) {
      requireAdmin(admin);
      const result = await closePaymentReview(db.kysely, {
        id: reviewId,
        adminId: admin.id,
        note,
        at: deps.clock.now(),
      });
      if (!result) throw new AppError("REVIEW_NOT_FOUND", "No such review item");
      if (!result.closed)
        throw new AppError("REVIEW_ALREADY_CLOSED", "This review item was already closed", {
          resolvedAt: result.row.resolved_at,
        });
      return toClosedReview(result.row);
    },

    async resolveTransaction(admin, transactionId, decision) {
      requireAdmin(admin);
      const transaction = await deps.payments.resolveSuspense(admin, { transactionId, ...decision });
      const at = deps.clock.now();
      // The decided money now sits in customer_refunds_payable: its refund is queued at once (the
      // submitter's sweep would, too) and announced, so a running submitter sends it.
      const refund =
        decision.action === "refund"
          ? await db.kysely.transaction().execute((trx) => queueOverpaymentRefund(trx, { transactionId, at }))
          : null;
      if (refund) deps.payouts.announce({ kind: "refund", id: refund.id, status: refund.status });
      await closeReviewsOf(db.kysely, transactionId, at);
      return { transaction, refund: refund ? toRefundView(refund, admin) : null };
    },
  };
}

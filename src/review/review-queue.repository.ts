/**
 * Reading what a person must decide, across the modules that open such items: payments under
 * review and the payments' review list, payouts and refunds failed or under review, and the money
 * in suspense per payment. Reading only; each decision goes through the module that owns the item.
 */
import { sql } from "kysely";
import type {
  Executor,
  PaymentReviewRow,
  PaymentTransactionRow,
  PayoutRow,
  ReconciliationDiscrepancyRow,
  RefundRow,
} from "../db/schema.ts";
import { openDiscrepancies } from "../reconciliation/runs.repository.ts";

/** Most items per section; `counts` says how many there are in all. */
export const REVIEW_SECTION_LIMIT = 100;

export interface ReviewRows {
  /** Payments needing a decision: money in suspense, or under review without a refund. */
  payments: PaymentTransactionRow[];
  /** KES held in suspense, by payment (only payments holding some). */
  suspense: Map<string, number>;
  paymentReviews: PaymentReviewRow[];
  payouts: PayoutRow[];
  refunds: RefundRow[];
  /** What statement reconciliation found and nobody decided yet. */
  discrepancies: ReconciliationDiscrepancyRow[];
  counts: {
    payments: number;
    paymentReviews: number;
    payouts: number;
    refunds: number;
    discrepancies: number;
  };
}

const STUCK = ["failed", "needs_review"] as const;

async function suspenseByPayment(executor: Executor): Promise<Map<string, number>> {
  const rows = await executor
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transfers as t", "t.id", "e.transfer_id")
    .select(["t.transaction_id", sql<string | number>`sum(e.amount)`.as("balance")])
    .where("e.account_code", "=", "suspense")
    .where("t.transaction_id", "is not", null)
    .groupBy("t.transaction_id")
    .execute();
  const held = new Map<string, number>();
  // A credit balance: what is held is its negation.
  for (const row of rows)
    if (row.transaction_id !== null && Number(row.balance) !== 0)
      held.set(row.transaction_id, -Number(row.balance));
  return held;
}

const count = (n: { n: string | number } | undefined) => Number(n?.n ?? 0);

export async function readReviewQueue(executor: Executor): Promise<ReviewRows> {
  const suspense = await suspenseByPayment(executor);
  const held = [...suspense.keys()];
  const payments = executor
    .selectFrom("payment_transactions as p")
    .where((eb) =>
      eb.or([
        ...(held.length > 0 ? [eb("p.id", "in", held)] : []),
        eb.and([
          eb("p.status", "=", "needs_review"),
          eb.not(
            eb.exists(eb.selectFrom("refunds as r").select("r.id").whereRef("r.transaction_id", "=", "p.id")),
          ),
        ]),
      ]),
    );
  const reviews = executor.selectFrom("payment_reviews").where("resolved_at", "is", null);
  const payouts = executor.selectFrom("payouts").where("status", "in", STUCK);
  const refunds = executor.selectFrom("refunds").where("status", "in", STUCK);
  const n = sql<string | number>`count(*)`.as("n");
  const [p, r, po, rf, pc, rc, poc, rfc, dsc] = await Promise.all([
    payments.selectAll("p").orderBy("p.created_at").limit(REVIEW_SECTION_LIMIT).execute(),
    reviews.selectAll().orderBy("created_at").limit(REVIEW_SECTION_LIMIT).execute(),
    payouts.selectAll().orderBy("created_at").limit(REVIEW_SECTION_LIMIT).execute(),
    refunds.selectAll().orderBy("created_at").limit(REVIEW_SECTION_LIMIT).execute(),
    payments.select(n).executeTakeFirst(),
    reviews.select(n).executeTakeFirst(),
    payouts.select(n).executeTakeFirst(),
    refunds.select(n).executeTakeFirst(),
    openDiscrepancies(executor, REVIEW_SECTION_LIMIT),
  ]);
  return {
    payments: p,
    suspense,
    paymentReviews: r,
    payouts: po,
    refunds: rf,
    discrepancies: dsc.rows,
    counts: {
      payments: count(pc),
      paymentReviews: count(rc),
      payouts: count(poc),
      refunds: count(rfc),
      discrepancies: dsc.total,
    },
  };
}

/** The review-list items of a payment a person has now decided on. */
export async function closeReviewsOf(executor: Executor, transactionId: string, at: Date): Promise<void> {
  await executor
    .updateTable("payment_reviews")
    .set({ resolved_at: at.toISOString() })
    .where("transaction_id", "=", transactionId)
    .where("resolved_at", "is", null)
    .execute();
}

/**
 * An admin closes one review item by a decision of its own (compare-and-set: only an open item);
 * the row as it now stands, or null when it does not exist; `closed: false` when it already was.
 */
export async function closePaymentReview(
  executor: Executor,
  input: { id: string; adminId: string; note: string; at: Date },
): Promise<{ closed: boolean; row: PaymentReviewRow } | null> {
  const updated = await executor
    .updateTable("payment_reviews")
    .set({ resolved_at: input.at.toISOString(), resolved_by: input.adminId, resolution_note: input.note })
    .where("id", "=", input.id)
    .where("resolved_at", "is", null)
    .executeTakeFirst();
  const row = await executor
    .selectFrom("payment_reviews")
    .selectAll()
    .where("id", "=", input.id)
    .executeTakeFirst();
  return row ? { closed: Number(updated.numUpdatedRows) === 1, row } : null;
}

/**
 * The monitoring figures for payments over a time range: how many succeed, how long customers wait
 * for a result, money taken per day, why payments fail, and what needs a person's decision.
 *
 * Computed in TypeScript over one bounded query (the range is at most a year and the row count is
 * capped), so the arithmetic is identical on SQLite and PostgreSQL.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { PAYMENT_STATUSES, type PaymentStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { type MoneyOutReport, moneyOutReport } from "./money-out-report.ts";
import { type ReportRange, resolveRange } from "./report-range.ts";

export type PaymentsReportRange = ReportRange;

export interface PaymentsReport {
  from: string;
  to: string;
  counts: Record<PaymentStatus, number> & { total: number };
  /** completed / (completed + failed), 0–1; null when nothing has finished. needs_review is left out. */
  successRate: number | null;
  /** From the push (created_at) to the result (completed_at, or updated_at for a failure without it). */
  timeToResult: { samples: number; averageSeconds: number | null; p95Seconds: number | null };
  /** Sum of completed payments by UTC day of completion, oldest first. */
  revenuePerDay: { day: string; amount: number; count: number; currency: "KES" }[];
  /** Failed payments grouped by reason and result code, most frequent first. */
  failureReasons: { reason: string; resultCode: string | null; count: number }[];
  /**
   * What a person must settle (whatever the range), oldest first: every transaction in
   * needs_review, and every open item of the review list (a push whose outcome stayed unknown, a
   * callback that could not be processed), once per transaction.
   */
  needsReview: { id: string; bookingId: string; amount: number; reason: string; createdAt: string }[];
}

export interface ReportsService {
  paymentsReport(range: PaymentsReportRange): Promise<PaymentsReport>;
  /** Money out of escrow: paid out, refunded, commission earned, and what is owed now. */
  moneyOutReport(range: ReportRange): Promise<MoneyOutReport>;
}

export const MAX_REPORT_ROWS = 200_000;
const MAX_REVIEW_ITEMS = 500;

/** Nearest-rank percentile of an ascending list. */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] ?? null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function createReportsService(deps: { db: Db; clock: Clock }): ReportsService {
  const { db, clock } = deps;
  return {
    moneyOutReport: (range) => moneyOutReport(db.kysely, resolveRange(range, clock.now())),
    async paymentsReport(range) {
      const { from, to } = resolveRange(range, clock.now());

      const rows = await db.kysely
        .selectFrom("payment_transactions")
        .select([
          "status",
          "amount",
          "paid_amount",
          "result_code",
          "result_desc",
          "failure_reason",
          "created_at",
          "updated_at",
          "completed_at",
        ])
        .where("created_at", ">=", from.toISOString())
        .where("created_at", "<", to.toISOString())
        .limit(MAX_REPORT_ROWS + 1)
        .execute();
      if (rows.length > MAX_REPORT_ROWS)
        throw new AppError("VALIDATION_ERROR", "Too many payments in this range; ask for a shorter one", {
          fields: [{ field: "from", message: "range holds too many payments" }],
        });

      const counts = Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, 0])) as Record<PaymentStatus, number>;
      const durations: number[] = [];
      const revenue = new Map<string, { amount: number; count: number }>();
      const failures = new Map<string, { reason: string; resultCode: string | null; count: number }>();

      for (const row of rows) {
        counts[row.status] += 1;
        switch (row.status) {
          case "completed": {
            const doneAt = row.completed_at ?? row.updated_at;
            durations.push(Date.parse(doneAt) - Date.parse(row.created_at));
            const day = doneAt.slice(0, 10);
            const entry = revenue.get(day) ?? { amount: 0, count: 0 };
            entry.amount += row.paid_amount ?? row.amount;
            entry.count += 1;
            revenue.set(day, entry);
            break;
          }
          case "failed": {
            durations.push(Date.parse(row.completed_at ?? row.updated_at) - Date.parse(row.created_at));
            const reason = row.failure_reason ?? row.result_desc ?? "unknown";
            const key = JSON.stringify([reason, row.result_code]);
            const entry = failures.get(key) ?? { reason, resultCode: row.result_code, count: 0 };
            entry.count += 1;
            failures.set(key, entry);
            break;
          }
          case "initiated":
          case "pending":
          case "needs_review":
            break;
          default: {
            const _exhaustive: never = row.status;
            throw new Error(`Unknown payment status ${String(_exhaustive)}`);
          }
        }
      }

      const review = await db.kysely
        .selectFrom("payment_transactions")
        .select(["id", "booking_id", "amount", "failure_reason", "result_desc", "created_at"])
        .where("status", "=", "needs_review")
        .orderBy("created_at", "asc")
        .orderBy("id", "asc")
        .limit(MAX_REVIEW_ITEMS)
        .execute();

      const listed = new Set(review.map((row) => row.id));
      const items = await db.kysely
        .selectFrom("payment_reviews")
        .innerJoin("payment_transactions", "payment_transactions.id", "payment_reviews.transaction_id")
        .select([
          "payment_transactions.id as id",
          "payment_transactions.booking_id as booking_id",
          "payment_transactions.amount as amount",
          "payment_reviews.reason as reason",
          "payment_reviews.created_at as created_at",
        ])
        .where("payment_reviews.resolved_at", "is", null)
        .orderBy("payment_reviews.created_at", "asc")
        .orderBy("payment_reviews.id", "asc")
        .limit(MAX_REVIEW_ITEMS)
        .execute();
      const needsReview = [
        ...review.map((row) => ({
          id: row.id,
          bookingId: row.booking_id,
          amount: row.amount,
          reason: row.failure_reason ?? row.result_desc ?? "awaiting review",
          createdAt: row.created_at,
        })),
        ...items
          .filter((row) => {
            if (listed.has(row.id)) return false;
            listed.add(row.id);
            return true;
          })
          .map((row) => ({
            id: row.id,
            bookingId: row.booking_id,
            amount: row.amount,
            reason: row.reason,
            createdAt: row.created_at,
          })),
      ]
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .slice(0, MAX_REVIEW_ITEMS);

      const finished = counts.completed + counts.failed;
      const seconds = durations.map((ms) => Math.max(0, ms) / 1000).sort((a, b) => a - b);
      const p95 = percentile(seconds, 95);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        counts: { ...counts, total: rows.length },
        successRate: finished === 0 ? null : round(counts.completed / finished, 4),
        timeToResult: {
          samples: seconds.length,
          averageSeconds:
            seconds.length === 0 ? null : round(seconds.reduce((a, b) => a + b, 0) / seconds.length, 3),
          p95Seconds: p95 === null ? null : round(p95, 3),
        },
        revenuePerDay: [...revenue.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([day, entry]) => ({
            day,
            amount: entry.amount,
            count: entry.count,
            currency: "KES" as const,
          })),
        failureReasons: [...failures.values()].sort(
          (a, b) => b.count - a.count || a.reason.localeCompare(b.reason),
        ),
        needsReview,
      };
    },
  };
}

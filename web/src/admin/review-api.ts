/**
 * The admin review routes this page calls (`GET /admin/review` and the decisions on it), and the
 * number of items waiting, shared by the page and the navigation's count. Types come from the
 * server's own views (src/review), so the page and the API cannot drift apart.
 */
import { useSyncExternalStore } from "react";
import type { PayoutView, RefundView } from "../../../src/payouts/payout-view.ts";
import type { PaymentReviewItem, ReviewPayment, ReviewQueue } from "../../../src/review/review.service.ts";
import { apiRequest } from "../api/client.ts";

export type { PaymentReviewItem, PayoutView, RefundView, ReviewPayment, ReviewQueue };

export type MoneyOutKind = "payout" | "refund";
export type SuspenseAction = "hold_fee" | "refund";

interface Data<T> {
  success: true;
  data: T;
}

const id = (value: string) => encodeURIComponent(value);

export async function fetchReviewQueue(): Promise<ReviewQueue> {
  const queue = (await apiRequest<Data<ReviewQueue>>("/admin/review")).data;
  publishWaiting(queue);
  return queue;
}

export async function resolvePayment(transactionId: string, action: SuspenseAction, note: string) {
  const path = `/admin/transactions/${id(transactionId)}/resolve`;
  return (
    await apiRequest<Data<{ refund: RefundView | null }>>(path, { method: "POST", body: { action, note } })
  ).data;
}

export async function retryMoneyOut(kind: MoneyOutKind, itemId: string, note: string): Promise<void> {
  await apiRequest(`/admin/${kind}s/${id(itemId)}/retry`, { method: "POST", body: { note } });
}

export async function resolveMoneyOut(
  kind: MoneyOutKind,
  itemId: string,
  outcome: "succeeded" | "failed",
  note: string,
): Promise<void> {
  await apiRequest(`/admin/${kind}s/${id(itemId)}/resolve`, { method: "POST", body: { outcome, note } });
}

export async function closePaymentReview(reviewId: string, note: string): Promise<void> {
  await apiRequest(`/admin/review/payment-reviews/${id(reviewId)}/close`, { method: "POST", body: { note } });
}

// ── How many items wait: read by the navigation, refreshed by every read of the queue ──────────

let waiting: number | null = null;
const listeners = new Set<() => void>();

/** Every item the page lists, section by section (a payment and its review items count apart). */
export function waitingIn(queue: Pick<ReviewQueue, "counts">): number {
  const { payments, paymentReviews, payouts, refunds, discrepancies } = queue.counts;
  return payments + paymentReviews + payouts + refunds + discrepancies;
}

function publishWaiting(queue: ReviewQueue): void {
  waiting = waitingIn(queue);
  for (const listener of listeners) listener();
}

/** Reads the queue again for the count; a failure leaves the last count (the page shows errors). */
export function refreshWaiting(): void {
  fetchReviewQueue().catch(() => {});
}

export function useWaiting(): number | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => waiting,
  );
}

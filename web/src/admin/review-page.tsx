/**
 * The admin review queue: everything a person must decide, in one place (`GET /admin/review`) —
 * payments with money in suspense, the payments' review items, payouts and refunds failed or under
 * review, what statement reconciliation found — with the counts and the money in suspense. Each
 * decision is confirmed in a dialog that requires a note; once made, the queue is read again (the
 * item leaves it) and a toast says so.
 */
import { useCallback, useEffect, useState } from "react";
import { useToast } from "../components/toast.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { formatKes } from "../lib/format.ts";
import type { Decision } from "../lib/review-words.ts";
import { DecisionModal } from "./decision-modal.tsx";
import { DiscrepancySections } from "./discrepancy-items.tsx";
import { fetchReviewQueue, type ReviewQueue, waitingIn } from "./review-api.ts";
import { MoneyOutItem, PaymentItem, PaymentReviewEntry, ReviewSection } from "./review-items.tsx";
import "../escrow/escrow.css";
import "./review.css";

export default function AdminReviewPage() {
  const toast = useToast();
  const [queue, setQueue] = useState<ReviewQueue | null>(null);
  const [readAt, setReadAt] = useState(() => Date.now());
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [deciding, setDeciding] = useState<Decision | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setQueue(await fetchReviewQueue());
      setReadAt(Date.now());
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load the review queue.");
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <h1 tabIndex={-1}>Review</h1>
      <p className="muted">
        Everything a person must decide: money held in suspense, payments to check on the M-Pesa statement,
        payouts and refunds that failed or need a look, and where the M-Pesa statement and our books disagree.
        Every decision is recorded with your name and note.
      </p>
      {problem && (
        <p className="form-error" role="alert">
          <ToneIcon tone="warning" />
          {problem}
        </p>
      )}
      {!queue && !problem && <p className="loading">Loading the review queue…</p>}
      {queue && (
        <div aria-busy={loading} className="review" data-testid="review">
          <Summary queue={queue} />
          {waitingIn(queue) === 0 ? (
            <p className="notice" data-testid="review-empty">
              <ToneIcon tone="success" />
              <span>Nothing needs a decision right now.</span>
            </p>
          ) : (
            <Sections queue={queue} now={readAt} onDecide={setDeciding} />
          )}
        </div>
      )}
      {deciding && (
        <DecisionModal
          decision={deciding}
          onDecided={(done) => {
            setDeciding(null);
            toast("success", done);
            void load();
          }}
          onClose={() => {
            setDeciding(null);
            // A refusal usually means the item changed meanwhile: show it as it is now.
            void load();
          }}
        />
      )}
    </section>
  );
}

function Summary({ queue }: { queue: ReviewQueue }) {
  const { counts } = queue;
  const figures: [string, string, string][] = [
    ["In suspense", formatKes(queue.suspenseTotal), "suspense-total"],
    ["Payments", String(counts.payments), "count-payments"],
    ["Payment checks", String(counts.paymentReviews), "count-payment-reviews"],
    ["Payouts", String(counts.payouts), "count-payouts"],
    ["Refunds", String(counts.refunds), "count-refunds"],
    ["Statement differences", String(counts.discrepancies), "count-discrepancies"],
  ];
  return (
    <div className="figures">
      {figures.map(([label, value, testId]) => (
        <div className="figure" key={testId}>
          <p className="figure-label">{label}</p>
          <p className="figure-value" data-testid={testId}>
            {value}
          </p>
        </div>
      ))}
    </div>
  );
}

function Sections({
  queue,
  now,
  onDecide,
}: {
  queue: ReviewQueue;
  now: number;
  onDecide: (decision: Decision) => void;
}) {
  const { counts } = queue;
  return (
    <>
      <ReviewSection
        id="review-payments"
        title="Payments under review"
        shown={queue.payments.length}
        total={counts.payments}
      >
        {queue.payments.map((payment) => (
          <PaymentItem key={payment.id} payment={payment} now={now} onDecide={onDecide} />
        ))}
      </ReviewSection>
      <ReviewSection
        id="review-payment-reviews"
        title="Payments to check"
        shown={queue.paymentReviews.length}
        total={counts.paymentReviews}
      >
        {queue.paymentReviews.map((review) => (
          <PaymentReviewEntry
            key={review.id}
            review={review}
            payment={queue.payments.find((payment) => payment.id === review.transactionId)}
            now={now}
            onDecide={onDecide}
          />
        ))}
      </ReviewSection>
      <ReviewSection id="review-payouts" title="Payouts" shown={queue.payouts.length} total={counts.payouts}>
        {queue.payouts.map((payout) => (
          <MoneyOutItem key={payout.id} kind="payout" item={payout} now={now} onDecide={onDecide} />
        ))}
      </ReviewSection>
      <ReviewSection id="review-refunds" title="Refunds" shown={queue.refunds.length} total={counts.refunds}>
        {queue.refunds.map((refund) => (
          <MoneyOutItem key={refund.id} kind="refund" item={refund} now={now} onDecide={onDecide} />
        ))}
      </ReviewSection>
      <DiscrepancySections
        discrepancies={queue.discrepancies}
        total={counts.discrepancies}
        now={now}
        onDecide={onDecide}
      />
    </>
  );
}

/**
 * One section of the review queue and its items, each with what an admin needs to decide (amount,
 * the number as the API masks it, receipt, why it is here, how long it has waited) and its
 * decisions. A payment's review item whose money is in suspense is decided on its payment (it points
 * there); one whose money never arrived is closed with a note.
 */
import type { ReactNode } from "react";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDateTime, formatKes, formatMsisdn } from "../lib/format.ts";
import { moneyOutStatusWords } from "../lib/money-out-words.ts";
import {
  type Decision,
  decisionWords,
  failureWording,
  itemTitle,
  moneyOutDecisions,
  paymentDecisions,
  paymentReviewDecisions,
  suspenseNote,
  waitedFor,
} from "../lib/review-words.ts";
import { paymentStatusWords } from "../lib/words.ts";
import { Link } from "../router.tsx";
import type { MoneyOutKind, PaymentReviewItem, PayoutView, RefundView, ReviewPayment } from "./review-api.ts";

type Decide = (decision: Decision) => void;

export function ReviewSection(props: {
  id: string;
  title: string;
  shown: number;
  total: number;
  children: ReactNode;
}) {
  const { id, title, shown, total } = props;
  if (total === 0) return null;
  return (
    <section className="review-section" aria-labelledby={`${id}-title`} data-testid={id}>
      <h2 id={`${id}-title`}>
        {title} <span className="review-count">({total})</span>
      </h2>
      {shown < total && (
        <p className="muted">
          The oldest {shown} of {total}; the rest appear here as these are decided.
        </p>
      )}
      <ul className="cards">{props.children}</ul>
    </section>
  );
}

export function Item(props: {
  kind: string;
  id: string;
  title: string;
  badge?: ReactNode;
  facts: [string, ReactNode][];
  /** None: the item is decided elsewhere (a payment's review item, on its payment). */
  decisions?: Decision[];
  onDecide?: Decide;
  children?: ReactNode;
}) {
  const decisions = props.decisions ?? [];
  const titleId = `${props.kind}-${props.id}-title`;
  return (
    <li className="card review-item" id={`${props.kind}-${props.id}`} data-testid={`review-${props.kind}`}>
      <article aria-labelledby={titleId}>
        <h3 id={titleId} className="card-title">
          {props.title}
        </h3>
        {props.badge && <p className="badges">{props.badge}</p>}
        <dl className="facts">
          {props.facts.map(([term, value]) => (
            <div key={term} className="fact">
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {props.children}
        {decisions.length > 0 && (
          <div className="actions">
            {decisions.map((decision) => {
              const { label } = decisionWords(decision);
              return (
                <button
                  key={label}
                  type="button"
                  className={decision === decisions[0] ? "button button-primary" : "button button-secondary"}
                  aria-label={`${label}: ${props.title}`}
                  onClick={() => props.onDecide?.(decision)}
                >
                  {label}
                </button>
              );
            })}
          </div>
        )}
      </article>
    </li>
  );
}

export const since = (iso: string, now: number) => (
  <>
    {waitedFor(iso, now)} <span className="muted">(since {formatDateTime(iso)})</span>
  </>
);
export const mono = (text: string | null) => (text ? <span className="mono">{text}</span> : "—");
const booking = (bookingId: string) => <Link to={`/bookings/${bookingId}`}>View booking</Link>;

export function PaymentItem({
  payment,
  now,
  onDecide,
}: {
  payment: ReviewPayment;
  now: number;
  onDecide: Decide;
}) {
  const decisions = paymentDecisions(payment);
  return (
    <Item
      kind="payment"
      id={payment.id}
      title={itemTitle("payment", payment.amount, payment.phoneNumber)}
      badge={<StatusBadge words={paymentStatusWords(payment.status)} />}
      facts={[
        ["In suspense", <strong key="held">{formatKes(payment.inSuspense)}</strong>],
        ["Receipt", mono(payment.mpesaReceiptNumber)],
        ["Why", failureWording(payment) ?? "—"],
        ["Age", since(payment.createdAt, now)],
        ["Booking", booking(payment.bookingId)],
      ]}
      decisions={decisions}
      onDecide={onDecide}
    >
      <p className="muted">{suspenseNote(payment)}</p>
    </Item>
  );
}

export function PaymentReviewEntry({
  review,
  payment,
  now,
  onDecide,
}: {
  review: PaymentReviewItem;
  /** Its payment, when the queue lists it. */
  payment: ReviewPayment | undefined;
  now: number;
  onDecide: Decide;
}) {
  const amount = typeof review.details.amount === "number" ? formatKes(review.details.amount) : "unknown";
  const reference =
    typeof review.details.accountReference === "string" ? review.details.accountReference : null;
  return (
    <Item
      kind="payment-review"
      id={review.id}
      title={`Payment of ${amount} to check`}
      facts={[
        ["Payment", mono(review.transactionId)],
        ["Account", mono(reference)],
        ["Why", review.reason],
        ["Age", since(review.createdAt, now)],
      ]}
      decisions={paymentReviewDecisions(review, payment)}
      onDecide={onDecide}
    >
      {payment && paymentDecisions(payment).length > 0 ? (
        <p>
          Its money is in suspense: <a href={`#payment-${payment.id}`}>decide on the payment</a>.
        </p>
      ) : (
        <p className="muted">
          Look for it on the M-Pesa statement: once its money arrives it is held in suspense and decided on
          its payment. If it is not there, close this check with what you found.
        </p>
      )}
    </Item>
  );
}

export function MoneyOutItem({
  kind,
  item,
  now,
  onDecide,
}: {
  kind: MoneyOutKind;
  item: PayoutView | RefundView;
  now: number;
  onDecide: Decide;
}) {
  const facts: [string, ReactNode][] = [
    ["Amount", <strong key="amount">{formatKes(item.amount)}</strong>],
    ["To", formatMsisdn(item.phoneNumber)],
    ["Receipt", mono(item.receipt)],
    ["M-Pesa said", failureWording(item) ?? "—"],
  ];
  if ("reason" in item) facts.push(["Refund for", item.reason]);
  facts.push(["Age", since(item.createdAt, now)], ["Booking", booking(item.bookingId)]);
  return (
    <Item
      kind={kind}
      id={item.id}
      title={itemTitle(kind, item.amount, item.phoneNumber)}
      badge={<StatusBadge words={moneyOutStatusWords(kind, item.status)} />}
      facts={facts}
      decisions={moneyOutDecisions(kind, item)}
      onDecide={onDecide}
    />
  );
}

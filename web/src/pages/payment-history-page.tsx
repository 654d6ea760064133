/** Payment history: every attempt, newest first, filtered by status, a page at a time (state in the URL). */
import { useEffect, useState } from "react";
import { fetchPaymentHistory } from "../api/endpoints.ts";
import type { Page, PaymentStatus, Transaction } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDateTime, formatKes, formatMsisdn } from "../lib/format.ts";
import { describeFailure, paymentStatusWords } from "../lib/words.ts";
import { Link, navigate, useLocation } from "../router.tsx";

const PAGE_SIZE = 10;
const STATUSES: PaymentStatus[] = ["completed", "failed", "pending", "initiated", "needs_review"];

function parseStatus(value: string | null): PaymentStatus | undefined {
  return STATUSES.find((status) => status === value);
}

export default function PaymentHistoryPage() {
  const { search } = useLocation();
  const status = parseStatus(search.get("status"));
  const page = Math.max(1, Number.parseInt(search.get("page") ?? "1", 10) || 1);
  const [result, setResult] = useState<Page<Transaction> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    fetchPaymentHistory(page, PAGE_SIZE, status)
      .then((next) => {
        if (!live) return;
        setResult(next);
        setProblem(null);
      })
      .catch((error: Error) => live && setProblem(error.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [page, status]);

  const go = (next: { page?: number; status?: PaymentStatus | undefined }) => {
    const params = new URLSearchParams();
    const nextStatus = "status" in next ? next.status : status;
    if (nextStatus) params.set("status", nextStatus);
    const nextPage = next.page ?? 1;
    if (nextPage > 1) params.set("page", String(nextPage));
    const text = params.toString();
    navigate(`/payments${text ? `?${text}` : ""}`);
  };

  return (
    <section>
      <h1 tabIndex={-1}>Payments</h1>
      <div className="toolbar">
        <label htmlFor="history-status">Show</label>
        <select
          id="history-status"
          value={status ?? ""}
          onChange={(event) => go({ status: parseStatus(event.target.value), page: 1 })}
        >
          <option value="">All payments</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {paymentStatusWords(value).label}
            </option>
          ))}
        </select>
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      <div aria-busy={loading} className="history">
        {result && result.items.length === 0 && <p>No payments {status ? "with this status " : ""}yet.</p>}
        {result && result.items.length > 0 && (
          <table className="table" data-testid="history">
            <caption className="visually-hidden">
              Payments, page {result.page} of {Math.max(1, result.pages)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Status</th>
                <th scope="col">Amount</th>
                <th scope="col">Phone</th>
                <th scope="col">Receipt or reason</th>
                <th scope="col">Booking</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((tx) => (
                <tr key={tx.id} data-status={tx.status}>
                  <td data-label="Date">{formatDateTime(tx.createdAt)}</td>
                  <td data-label="Status">
                    <StatusBadge words={paymentStatusWords(tx.status)} />
                  </td>
                  <td data-label="Amount">{formatKes(tx.amount)}</td>
                  <td data-label="Phone">{formatMsisdn(tx.phoneNumber)}</td>
                  <td data-label="Receipt or reason">
                    {tx.mpesaReceiptNumber ? (
                      <span className="mono">{tx.mpesaReceiptNumber}</span>
                    ) : tx.status === "failed" ? (
                      describeFailure(tx)
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Booking">
                    <Link to={`/bookings/${tx.bookingId}`}>View booking</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!result && !problem && <p className="loading">Loading payments…</p>}
      </div>
      {result && result.pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button button-secondary"
            disabled={page <= 1}
            onClick={() => go({ page: page - 1 })}
          >
            ← Previous
          </button>
          <span aria-live="polite">
            Page {result.page} of {result.pages} ({result.total} payments)
          </span>
          <button
            type="button"
            className="button button-secondary"
            disabled={page >= result.pages}
            onClick={() => go({ page: page + 1 })}
          >
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}

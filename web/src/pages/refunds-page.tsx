/**
 * Refunds: a customer's own (money owed back, returned by reversing their M-Pesa payment), or for
 * an admin everyone's. Filtered by status, a page at a time (state in the URL).
 */
import { listRefunds } from "../api/escrow-endpoints.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { Pager, StatusFilter, useListPage } from "../escrow/money-out-list.tsx";
import { formatDateTime, formatKes, formatMsisdn } from "../lib/format.ts";
import { moneyOutStatusWords } from "../lib/money-out-words.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.ts";
import "../escrow/escrow.css";

export default function RefundsPage() {
  const session = useSession();
  const state = useListPage("/refunds", listRefunds);
  const admin = session?.user.role === "admin";
  const { result } = state;

  return (
    <section>
      <h1 tabIndex={-1}>Refunds</h1>
      <p className="muted">
        {admin
          ? "Money owed back to customers, returned by reversing their M-Pesa payment."
          : "Money we owe you back (a cancelled booking's fee, or a payment that came too late), returned to the number that paid by reversing the payment."}
      </p>
      <StatusFilter kind="refund" state={state} />
      {state.problem && (
        <p className="form-error" role="alert">
          {state.problem}
        </p>
      )}
      <div aria-busy={state.loading} className="history">
        {result && result.items.length === 0 && (
          <p>No refunds {state.status ? "with this status " : ""}yet.</p>
        )}
        {result && result.items.length > 0 && (
          <table className="table" data-testid="refunds">
            <caption className="visually-hidden">
              Refunds, page {result.page} of {Math.max(1, result.pages)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Status</th>
                <th scope="col">Amount</th>
                <th scope="col">To</th>
                <th scope="col">Why</th>
                <th scope="col">Receipt or reason</th>
                <th scope="col">Booking</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((refund) => (
                <tr key={refund.id} data-status={refund.status}>
                  <td data-label="Date">{formatDateTime(refund.createdAt)}</td>
                  <td data-label="Status">
                    <StatusBadge words={moneyOutStatusWords("refund", refund.status)} />
                  </td>
                  <td data-label="Amount">{formatKes(refund.amount)}</td>
                  <td data-label="To">{formatMsisdn(refund.phoneNumber)}</td>
                  <td data-label="Why">{refund.reason}</td>
                  <td data-label="Receipt or reason">
                    {refund.receipt ? (
                      <span className="mono">{refund.receipt}</span>
                    ) : (
                      (refund.failureReason ?? refund.resultDesc ?? "—")
                    )}
                  </td>
                  <td data-label="Booking">
                    <Link to={`/bookings/${refund.bookingId}`}>View booking</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!result && !state.problem && <p className="loading">Loading refunds…</p>}
      </div>
      <Pager state={state} noun="refunds" />
    </section>
  );
}

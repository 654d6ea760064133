/**
 * The payments dashboard for admins: success rate, time from push to result (average and p95),
 * revenue per day, why payments failed, counts by status, the transactions a person must review,
 * and the money out of escrow (paid out, refunded, commission, owed).
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { fetchPaymentsReport } from "../api/endpoints.ts";
import { fetchMoneyOutReport } from "../api/escrow-endpoints.ts";
import type { MoneyOutReport, PaymentStatus, PaymentsReport } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { formatDateTime, formatKes, formatPercent, formatSeconds } from "../lib/format.ts";
import { paymentStatusWords } from "../lib/words.ts";
import { Link } from "../router.tsx";
import { BarList, ColumnChart } from "./charts.tsx";
import { MoneyOutFigures } from "./money-out-figures.tsx";
import "../escrow/escrow.css";

const STATUSES: PaymentStatus[] = ["completed", "failed", "pending", "initiated", "needs_review"];

export default function AdminDashboardPage() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [report, setReport] = useState<PaymentsReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [moneyOut, setMoneyOut] = useState<MoneyOutReport | null>(null);
  const [moneyProblem, setMoneyProblem] = useState<string | null>(null);

  const load = useCallback(async (range: { from: string; to: string }) => {
    setLoading(true);
    const start = range.from ? new Date(`${range.from}T00:00:00`).toISOString() : undefined;
    // The reports' end is exclusive: the day after "to" starts.
    const end = range.to
      ? new Date(new Date(`${range.to}T00:00:00`).getTime() + 86_400_000).toISOString()
      : undefined;
    const [payments, money] = await Promise.allSettled([
      fetchPaymentsReport(start, end),
      fetchMoneyOutReport(start, end),
    ]);
    if (payments.status === "fulfilled") {
      setReport(payments.value);
      setProblem(null);
    } else setProblem(messageOf(payments.reason, "Could not load the report."));
    if (money.status === "fulfilled") {
      setMoneyOut(money.value);
      setMoneyProblem(null);
    } else setMoneyProblem(messageOf(money.reason, "Could not load the money-out figures."));
    setLoading(false);
  }, []);

  useEffect(() => {
    void load({ from: "", to: "" });
  }, [load]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    void load({ from, to });
  };

  return (
    <section>
      <h1 tabIndex={-1}>Payments dashboard</h1>
      <form className="toolbar" onSubmit={apply}>
        <span className="toolbar-pair">
          <label htmlFor="report-from">From</label>
          <input id="report-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </span>
        <span className="toolbar-pair">
          <label htmlFor="report-to">To</label>
          <input id="report-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </span>
        <button type="submit" className="button button-secondary" disabled={loading}>
          Show
        </button>
      </form>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {!report && !problem && <p className="loading">Loading the report…</p>}
      {report && <Report report={report} />}
      {moneyProblem && (
        <p className="form-error" role="alert">
          {moneyProblem}
        </p>
      )}
      {moneyOut && <MoneyOutFigures report={moneyOut} />}
    </section>
  );
}

function Report({ report }: { report: PaymentsReport }) {
  const revenue = report.revenuePerDay.map((day) => ({
    label: shortDay(day.day),
    value: day.amount,
    day: day.day,
  }));
  const totalRevenue = report.revenuePerDay.reduce((sum, day) => sum + day.amount, 0);
  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="figures">
        <Figure label="Success rate" value={formatPercent(report.successRate)} testId="success-rate" />
        <Figure
          label="Average time to result"
          value={formatSeconds(report.timeToResult.averageSeconds)}
          testId="average-time"
        />
        <Figure
          label="95th percentile time to result"
          value={formatSeconds(report.timeToResult.p95Seconds)}
          testId="p95-time"
        />
        <Figure label="Payments in period" value={String(report.counts.total)} testId="payments-total" />
        <Figure label="Revenue in period" value={formatKes(totalRevenue)} testId="revenue-total" />
      </div>

      <section className="panel" aria-labelledby="status-title">
        <h2 id="status-title">Payments by status</h2>
        <ul className="status-counts">
          {STATUSES.map((status) => (
            <li key={status}>
              <StatusBadge words={paymentStatusWords(status)} /> <strong>{report.counts[status]}</strong>
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="revenue-title">
        <h2 id="revenue-title">Revenue per day</h2>
        <ColumnChart
          bars={revenue}
          title="Revenue per day"
          describe={(bar) => `${bar.label}: ${formatKes(bar.value)}`}
        />
      </section>

      <section className="panel" aria-labelledby="failures-title">
        <h2 id="failures-title">Why payments failed</h2>
        <BarList
          title="Failure reasons with counts"
          bars={report.failureReasons.map((failure) => ({
            label:
              failure.resultCode === null ? failure.reason : `${failure.reason} (code ${failure.resultCode})`,
            value: failure.count,
          }))}
        />
      </section>

      <section className="panel" aria-labelledby="review-title">
        <h2 id="review-title">Needs review</h2>
        {report.needsReview.length === 0 ? (
          <p className="muted">
            <ToneIcon tone="success" /> Nothing to review.
          </p>
        ) : (
          <table className="table" data-testid="needs-review">
            <thead>
              <tr>
                <th scope="col">Transaction</th>
                <th scope="col">Amount</th>
                <th scope="col">Why</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {report.needsReview.map((item) => (
                <tr key={item.id}>
                  <td data-label="Transaction" className="mono">
                    <Link to={`/bookings/${item.bookingId}`}>{item.id}</Link>
                  </td>
                  <td data-label="Amount">{formatKes(item.amount)}</td>
                  <td data-label="Why">{item.reason}</td>
                  <td data-label="Since">{formatDateTime(item.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="figure">
      <p className="figure-label">{label}</p>
      <p className="figure-value" data-testid={testId}>
        {value}
      </p>
    </div>
  );
}

function messageOf(error: unknown, fallback: string): string {
  return error instanceof Error ? error.message : fallback;
}

/** `2026-11-26` → `26 Nov`. */
function shortDay(day: string): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

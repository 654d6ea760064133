/**
 * The dashboard's money-out figures: what left escrow in the range (paid out to technicians,
 * refunded to customers, commission kept) and what is owed right now, with the payouts and refunds
 * behind it by status. Computed by the server from the ledger (`GET /admin/reports/money-out`).
 */
import type { MoneyOutReport, MoneyOutStatus } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatKes } from "../lib/format.ts";
import { MONEY_OUT_STATUSES, type MoneyOutKind, moneyOutStatusWords } from "../lib/money-out-words.ts";
import { Link } from "../router.tsx";

export function MoneyOutFigures({ report }: { report: MoneyOutReport }) {
  const waiting = report.payouts.awaitingApproval;
  return (
    <section className="panel" aria-labelledby="money-out-title" data-testid="money-out">
      <h2 id="money-out-title">Money out</h2>
      <div className="figures">
        <Figure
          label="Paid out to technicians"
          value={report.paidOut.amount}
          count={report.paidOut.count}
          noun="payout"
          testId="paid-out"
        />
        <Figure
          label="Refunded to customers"
          value={report.refunded.amount}
          count={report.refunded.count}
          noun="refund"
          testId="refunded"
        />
        <Figure
          label="Commission earned"
          value={report.commission.amount}
          count={report.commission.count}
          noun="job"
          testId="commission"
        />
      </div>
      <h3>Owed now</h3>
      <div className="figures">
        <Figure label="Owed to technicians" value={report.owed.technicianPayable} testId="owed-technicians" />
        <Figure
          label="Owed to customers"
          value={report.owed.customerRefundsPayable}
          testId="owed-customers"
        />
        <Figure label="Held in escrow" value={report.owed.heldInEscrow} testId="held-in-escrow" />
      </div>
      {waiting > 0 && (
        <p className="notice" data-testid="awaiting-approval">
          {waiting === 1 ? "1 payout waits" : `${waiting} payouts wait`} for approval.{" "}
          <Link to="/payouts?status=queued">Review payouts</Link>
        </p>
      )}
      <StatusCounts kind="payout" counts={report.payouts.counts} />
      <StatusCounts kind="refund" counts={report.refunds.counts} />
    </section>
  );
}

function Figure(props: { label: string; value: number; count?: number; noun?: string; testId: string }) {
  const { count, noun } = props;
  return (
    <div className="figure">
      <p className="figure-label">{props.label}</p>
      <p className="figure-value" data-testid={props.testId}>
        {formatKes(props.value)}
      </p>
      {count !== undefined && noun && (
        <p className="figure-label">
          {count} {count === 1 ? noun : `${noun}s`}
        </p>
      )}
    </div>
  );
}

function StatusCounts({ kind, counts }: { kind: MoneyOutKind; counts: Record<MoneyOutStatus, number> }) {
  const title = kind === "payout" ? "Payouts by status" : "Refunds by status";
  return (
    <>
      <h3>{title}</h3>
      <ul className="status-counts" aria-label={title} data-testid={`${kind}-counts`}>
        {MONEY_OUT_STATUSES.map((status) => (
          <li key={status}>
            <Link to={`/${kind}s?status=${status}`}>
              <StatusBadge words={moneyOutStatusWords(kind, status)} />
            </Link>{" "}
            <strong>{counts[status]}</strong>
          </li>
        ))}
      </ul>
    </>
  );
}

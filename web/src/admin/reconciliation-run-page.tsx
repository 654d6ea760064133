/**
 * One reconciliation run: what the statement held and how much of it matched our records, the
 * statement's movement against the ledger's (the difference, and what is left unexplained once
 * Safaricom's charges and others' lines are counted), the Account Balance answer of the moment, and
 * every difference found, decided here as on the review queue.
 */
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { formatDateTime } from "../lib/format.ts";
import { balanceVerdict, formatCents, periodWords } from "../lib/reconciliation-words.ts";
import type { Decision } from "../lib/review-words.ts";
import { Link } from "../router.tsx";
import { BalanceFigures, Facts } from "./balance-panel.tsx";
import { DecisionModal } from "./decision-modal.tsx";
import { DiscrepancyTable } from "./discrepancy-table.tsx";
import { fetchRun, type ReconciliationRunView, type RunDetail } from "./reconciliation-api.ts";
import { refreshWaiting } from "./review-api.ts";
import "../escrow/escrow.css";
import "./reconciliation.css";

export default function ReconciliationRunPage({ runId }: { runId: string }) {
  const toast = useToast();
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<Decision | null>(null);

  const load = useCallback(async () => {
    try {
      setDetail(await fetchRun(runId));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load the run.");
    }
  }, [runId]);
  useEffect(() => {
    void load();
  }, [load]);
  const reload = () => {
    void load();
    refreshWaiting();
  };

  return (
    <section className="reconciliation">
      <p>
        <Link to="/admin/reconciliations">← All runs</Link>
      </p>
      <h1 tabIndex={-1}>Reconciliation run</h1>
      {problem && (
        <p className="form-error" role="alert">
          <ToneIcon tone="warning" />
          {problem}
        </p>
      )}
      {!detail && !problem && <p className="loading">Loading the run…</p>}
      {detail && (
        <div data-testid="run">
          <RunFigures run={detail.run} />
          <Balances run={detail.run} />
          <DiscrepancyTable runId={runId} discrepancies={detail.discrepancies} onDecide={setDeciding} />
        </div>
      )}
      {deciding && (
        <DecisionModal
          decision={deciding}
          onDecided={(done) => {
            setDeciding(null);
            toast("success", done);
            reload();
          }}
          onClose={() => {
            setDeciding(null);
            reload();
          }}
        />
      )}
    </section>
  );
}

const lines = (count: number) => `${count} ${count === 1 ? "line" : "lines"}`;

function RunFigures({ run }: { run: ReconciliationRunView }) {
  const { matched, charges, other } = run;
  const figures: [string, string, string][] = [
    ["Lines", String(run.lines), "run-lines"],
    ["Matched payments", String(matched.payments), "run-matched-payments"],
    ["Matched payouts", String(matched.payouts), "run-matched-payouts"],
    ["Matched refunds", String(matched.refunds), "run-matched-refunds"],
    [`Charges (${lines(charges.count)})`, formatCents(charges.amountCents), "run-charges"],
    [`Others' lines (${lines(other.count)})`, formatCents(other.amountCents), "run-other"],
    ["Differences open", `${run.discrepancies.open} of ${run.discrepancies.total}`, "run-open"],
  ];
  return (
    <>
      <Facts
        rows={[
          ["Imported", formatDateTime(run.createdAt)],
          ["From", run.source === "cli" ? "The command line" : "An upload"],
          ["Period", periodWords(run.period, formatDateTime)],
          ["Lines on which no money moved", String(run.ignored)],
        ]}
      />
      <div className="figures run-figures">
        {figures.map(([label, value, testId]) => (
          <div className="figure" key={testId}>
            <p className="figure-label">{label}</p>
            <p className="figure-value" data-testid={testId}>
              {value}
            </p>
          </div>
        ))}
      </div>
    </>
  );
}

function Balances({ run }: { run: ReconciliationRunView }) {
  const { statement, accountBalance } = run.balances;
  const cents = (value: number | null, testId: string): ReactNode => (
    <span data-testid={testId}>{formatCents(value)}</span>
  );
  return (
    <section className="panel" aria-labelledby="balances-title">
      <h2 id="balances-title">Balances</h2>
      <p className="badges" data-testid="run-verdict">
        <StatusBadge words={balanceVerdict(run)} />
      </p>
      <Facts
        rows={[
          ["Paid in (statement)", cents(statement.paidInCents, "paid-in")],
          ["Withdrawn (statement, charges included)", cents(statement.withdrawnCents, "withdrawn")],
          ["Statement movement", cents(statement.movementCents, "statement-movement")],
          ["Ledger movement (M-Pesa clearing)", cents(run.balances.ledgerMovementCents, "ledger-movement")],
          ["Difference", cents(run.balances.differenceCents, "difference")],
          [
            "Unexplained (less charges and others' lines)",
            cents(run.balances.unexplainedCents, "unexplained"),
          ],
          ["Opening balance (statement)", cents(statement.openingCents, "opening")],
          ["Closing balance (statement)", cents(statement.closingCents, "closing")],
        ]}
      />
      <h3>M-Pesa's balance when the run was made</h3>
      {accountBalance ? (
        <BalanceFigures check={accountBalance} />
      ) : (
        <p className="muted">
          M-Pesa had not answered a balance query yet: ask on the{" "}
          <Link to="/admin/reconciliations">runs page</Link>.
        </p>
      )}
    </section>
  );
}

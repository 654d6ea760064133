/**
 * Statement reconciliation for admins (docs/reconciliation.md): upload the M-Pesa portal's
 * statement, read the runs made so far (newest first, a page at a time), each one's page has its
 * balances and discrepancies; and the shortcode's balance as the Account Balance API answers it.
 */
import { useCallback, useEffect, useState } from "react";
import type { Page } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDateTime } from "../lib/format.ts";
import { balanceVerdict, periodWords } from "../lib/reconciliation-words.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { BalancePanel } from "./balance-panel.tsx";
import { listRuns, type ReconciliationRunView } from "./reconciliation-api.ts";
import { StatementUpload } from "./statement-upload.tsx";
import "../escrow/escrow.css";
import "./reconciliation.css";

const PAGE_SIZE = 10;

export default function ReconciliationsPage() {
  const { search } = useLocation();
  const page = Math.max(1, Number.parseInt(search.get("page") ?? "1", 10) || 1);
  const [runs, setRuns] = useState<Page<ReconciliationRunView> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setRuns(await listRuns(page, PAGE_SIZE));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not load the runs.");
    }
  }, [page]);
  useEffect(() => {
    void load();
  }, [load]);

  const go = (next: number) =>
    navigate(next > 1 ? `/admin/reconciliations?page=${next}` : "/admin/reconciliations");

  return (
    <section className="reconciliation">
      <h1 tabIndex={-1}>Reconciliation</h1>
      <p className="muted">
        Our books against M-Pesa's statement: every line is matched by receipt to our payments, payouts and
        refunds, every record of ours is looked for on it, and what disagrees goes to{" "}
        <Link to="/admin/review">Review</Link> to decide.
      </p>
      <StatementUpload onImported={() => (page === 1 ? void load() : go(1))} />
      <section className="panel" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
        {!runs && !problem && <p className="loading">Loading…</p>}
        {runs?.items.length === 0 && <p className="muted">No statement reconciled yet.</p>}
        {runs && runs.items.length > 0 && <RunsTable runs={runs.items} />}
        {runs && runs.pages > 1 && (
          <nav className="pager" aria-label="Run pages">
            <button
              type="button"
              className="button button-secondary"
              disabled={page <= 1}
              onClick={() => go(page - 1)}
            >
              ← Newer
            </button>
            <span aria-live="polite">
              Page {runs.page} of {runs.pages} ({runs.total} runs)
            </span>
            <button
              type="button"
              className="button button-secondary"
              disabled={page >= runs.pages}
              onClick={() => go(page + 1)}
            >
              Older →
            </button>
          </nav>
        )}
      </section>
      <BalancePanel />
    </section>
  );
}

function RunsTable({ runs }: { runs: ReconciliationRunView[] }) {
  return (
    <table className="table" data-testid="runs">
      <thead>
        <tr>
          <th scope="col">Imported</th>
          <th scope="col">Period</th>
          <th scope="col">Lines</th>
          <th scope="col">Matched</th>
          <th scope="col">Differences</th>
          <th scope="col">Books</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const { payments, payouts, refunds } = run.matched;
          return (
            <tr key={run.id} data-run={run.id}>
              <td data-label="Imported">
                <Link to={`/admin/reconciliations/${run.id}`}>{formatDateTime(run.createdAt)}</Link>
              </td>
              <td data-label="Period">{periodWords(run.period, formatDateTime)}</td>
              <td data-label="Lines">{run.lines}</td>
              <td data-label="Matched">{payments + payouts + refunds}</td>
              <td data-label="Differences">
                {run.discrepancies.open} open of {run.discrepancies.total}
              </td>
              <td data-label="Books">
                <StatusBadge words={balanceVerdict(run)} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

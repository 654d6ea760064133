/**
 * A run's discrepancies as a table: kind in plain words, receipt, amount, the other party, the
 * statement line, where each stands (with the decision's note), the decisions an open one allows,
 * and the whole list as a CSV file for the finance team's spreadsheet.
 */
import { useState } from "react";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { discrepancyStateWords, formatCents, kindWords } from "../lib/reconciliation-words.ts";
import { type Decision, decisionWords, discrepancyDecisions } from "../lib/review-words.ts";
import { downloadDiscrepanciesCsv, type ReconciliationDiscrepancy } from "./reconciliation-api.ts";

export function DiscrepancyTable(props: {
  runId: string;
  discrepancies: ReconciliationDiscrepancy[];
  onDecide: (decision: Decision) => void;
}) {
  const { runId, discrepancies } = props;
  return (
    <section className="panel" aria-labelledby="discrepancies-title">
      <div className="page-title">
        <h2 id="discrepancies-title">Differences ({discrepancies.length})</h2>
        <CsvDownload runId={runId} />
      </div>
      {discrepancies.length === 0 ? (
        <p className="muted">The statement and our books agree line by line.</p>
      ) : (
        <table className="table" data-testid="discrepancies">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Receipt</th>
              <th scope="col">Amount</th>
              <th scope="col">Other party</th>
              <th scope="col">Line</th>
              <th scope="col">State</th>
              <th scope="col">Decide</th>
            </tr>
          </thead>
          <tbody>
            {discrepancies.map((d) => (
              <Row key={d.id} d={d} onDecide={props.onDecide} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row({ d, onDecide }: { d: ReconciliationDiscrepancy; onDecide: (decision: Decision) => void }) {
  const decisions = discrepancyDecisions(d);
  return (
    <tr data-discrepancy={d.id} data-kind={d.kind} data-state={d.state}>
      <td data-label="Kind">
        <div>
          {kindWords(d)}
          <div className="muted">{d.detail}</div>
        </div>
      </td>
      <td data-label="Receipt" className="mono">
        {d.receipt ?? "—"}
      </td>
      <td data-label="Amount">{formatCents(d.amountCents)}</td>
      <td data-label="Other party">{d.otherParty ?? "—"}</td>
      <td data-label="Line">{d.lineNumber ?? "—"}</td>
      <td data-label="State">
        <div>
          <StatusBadge words={discrepancyStateWords(d)} />
          {d.resolutionNote && <div className="muted">“{d.resolutionNote}”</div>}
        </div>
      </td>
      <td data-label="Decide">
        {decisions.length === 0 ? (
          "—"
        ) : (
          <span className="actions">
            {decisions.map((decision) => {
              const { label } = decisionWords(decision);
              return (
                <button
                  key={label}
                  type="button"
                  className="button button-secondary"
                  aria-label={`${label}: ${kindWords(d)}, ${formatCents(d.amountCents)}${d.receipt ? `, ${d.receipt}` : ""}`}
                  onClick={() => onDecide(decision)}
                >
                  {label}
                </button>
              );
            })}
          </span>
        )}
      </td>
    </tr>
  );
}

function CsvDownload({ runId }: { runId: string }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      toast("success", `Downloaded ${await downloadDiscrepanciesCsv(runId)}.`);
    } catch (error) {
      toast("danger", error instanceof Error ? error.message : "Could not download the file.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="button button-secondary"
      disabled={busy}
      aria-busy={busy}
      onClick={() => void download()}
    >
      Download CSV
    </button>
  );
}

/**
 * The shortcode's balances as the Account Balance API answered them, next to what our books hold
 * for M-Pesa (the ledger's mpesa_clearing then), and asking M-Pesa again now. Daraja answers
 * asynchronously, so after asking, the latest check is read again until it is answered.
 */
import { Fragment, type ReactNode, useCallback, useEffect, useState } from "react";
import { FormError } from "../components/field.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { formatDateTime } from "../lib/format.ts";
import { formatCents } from "../lib/reconciliation-words.ts";
import type { StatusWords } from "../lib/words.ts";
import { type BalanceCheckView, latestBalance, requestBalance } from "./reconciliation-api.ts";

const POLL_MS = 1_500;
/** About a minute: Daraja's answer is late beyond it, and the admin can ask again. */
const POLLS = 40;

export function checkWords(check: BalanceCheckView): StatusWords {
  switch (check.status) {
    case "completed":
      return { label: "Answered", tone: "success" };
    case "failed":
      return { label: "M-Pesa could not answer", tone: "danger" };
    default:
      return { label: "Waiting for M-Pesa's answer", tone: "waiting" };
  }
}

/** Terms and their values, two columns (one list for screen readers). */
export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <Fragment key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** The figures of one check (a run shows the one it was made with). */
export function BalanceFigures({ check }: { check: BalanceCheckView }) {
  const rows: [string, string][] = [
    ["Utility Account", formatCents(check.utilityCents)],
    ["Working Account", formatCents(check.workingCents)],
    ["Charges Paid Account", formatCents(check.chargesPaidCents)],
    ["Our books (M-Pesa clearing)", formatCents(check.ledgerClearingCents)],
    ["Utility − our books", formatCents(check.differenceCents)],
  ];
  return (
    <div data-testid="balance-check">
      <p className="badges">
        <StatusBadge words={checkWords(check)} />
        <span className="muted">
          {check.balancesAt
            ? `Read at ${formatDateTime(check.balancesAt)}`
            : `Asked at ${formatDateTime(check.requestedAt)}`}
        </span>
      </p>
      {check.status === "failed" && <p>{check.resultDesc ?? "No reason given."}</p>}
      {check.status === "completed" && <Facts rows={rows} />}
    </div>
  );
}

export function BalancePanel() {
  const toast = useToast();
  const [check, setCheck] = useState<BalanceCheckView | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [polls, setPolls] = useState(0);

  const load = useCallback(async () => {
    try {
      setCheck(await latestBalance());
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not read the balance.");
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  // While M-Pesa has not answered the check just asked, look again.
  const waiting = check?.status === "requested" || check?.status === "accepted";
  useEffect(() => {
    if (!waiting || polls >= POLLS) return;
    const timer = setTimeout(() => {
      setPolls((n) => n + 1);
      void load();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, polls, load]);

  const ask = async () => {
    setAsking(true);
    try {
      setCheck(await requestBalance());
      setPolls(0);
      setProblem(null);
      toast("success", "Asked M-Pesa for the balance: its answer shows here.");
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "Could not ask M-Pesa.");
    } finally {
      setAsking(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="balance-title">
      <h2 id="balance-title">M-Pesa balance</h2>
      <p className="muted">
        The Account Balance API's latest answer, next to what our books hold for M-Pesa. They differ by the
        shortcode's opening balance, Safaricom's charges, and anything not recorded here.
      </p>
      {check === null && <p>M-Pesa has not been asked yet.</p>}
      {check && <BalanceFigures check={check} />}
      <FormError message={problem} />
      <button
        type="button"
        className="button button-secondary"
        disabled={asking}
        aria-busy={asking}
        onClick={() => void ask()}
      >
        Ask M-Pesa for the balance now
      </button>
    </section>
  );
}

/**
 * Payouts: a technician's own (their share of each finished job, sent to their M-Pesa), or for an
 * admin everyone's, with an Approve button on those waiting when PAYOUT_APPROVAL=admin. Filtered by
 * status, a page at a time (state in the URL).
 */
import { useState } from "react";
import { approvePayout, listPayouts } from "../api/escrow-endpoints.ts";
import type { Payout } from "../api/types.ts";
import { useAppConfig } from "../app-config.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { ConfirmModal, refusalText } from "../escrow/confirm-modal.tsx";
import { Pager, StatusFilter, useListPage } from "../escrow/money-out-list.tsx";
import { describeLifeRefusal } from "../lib/booking-life.ts";
import { formatDateTime, formatKes, formatMsisdn } from "../lib/format.ts";
import { describePayout, moneyOutStatusWords } from "../lib/money-out-words.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.ts";
import "../escrow/escrow.css";

export default function PayoutsPage() {
  const session = useSession();
  const config = useAppConfig();
  const toast = useToast();
  const state = useListPage("/payouts", listPayouts);
  const [approving, setApproving] = useState<Payout | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const admin = session?.user.role === "admin";
  const approvals = admin && config?.payoutApproval === "admin";
  const { result } = state;

  const approve = async (payout: Payout) => {
    setBusy(true);
    setProblem(null);
    try {
      const approved = await approvePayout(payout.id);
      setApproving(null);
      toast("success", `Payout of ${formatKes(approved.amount)} approved: it is sent to M-Pesa next.`);
      state.reload();
    } catch (error) {
      setProblem(refusalText(error, describeLifeRefusal));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>Payouts</h1>
      <p className="muted">
        {admin
          ? "Every technician's share of a released booking fee, sent to their M-Pesa number."
          : "Your share of each finished job's booking fee, sent to your M-Pesa number."}
      </p>
      {approvals && (
        <p className="notice" data-testid="approval-on">
          Payout approval is on: each payout waits for an admin's approval before it is sent.
        </p>
      )}
      <StatusFilter kind="payout" state={state} />
      {state.problem && (
        <p className="form-error" role="alert">
          {state.problem}
        </p>
      )}
      <div aria-busy={state.loading} className="history">
        {result && result.items.length === 0 && (
          <p>
            No payouts {state.status ? "with this status " : ""}yet.
            {admin ? "" : " Finish a job to earn your first."}
          </p>
        )}
        {result && result.items.length > 0 && (
          <table className="table" data-testid="payouts">
            <caption className="visually-hidden">
              Payouts, page {result.page} of {Math.max(1, result.pages)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Status</th>
                <th scope="col">Amount</th>
                <th scope="col">To</th>
                <th scope="col">Receipt or reason</th>
                <th scope="col">Booking</th>
                {approvals && <th scope="col">Approval</th>}
              </tr>
            </thead>
            <tbody>
              {result.items.map((payout) => (
                <tr key={payout.id} data-status={payout.status}>
                  <td data-label="Date">{formatDateTime(payout.createdAt)}</td>
                  <td data-label="Status">
                    <StatusBadge
                      words={moneyOutStatusWords("payout", payout.status, payout.awaitingApproval)}
                    />
                  </td>
                  <td data-label="Amount">{formatKes(payout.amount)}</td>
                  <td data-label="To">{formatMsisdn(payout.phoneNumber)}</td>
                  <td data-label="Receipt or reason">
                    {payout.receipt ? (
                      <span className="mono">{payout.receipt}</span>
                    ) : (
                      (payout.failureReason ?? payout.resultDesc ?? "—")
                    )}
                  </td>
                  <td data-label="Booking">
                    <Link to={`/bookings/${payout.bookingId}`}>View booking</Link>
                  </td>
                  {approvals && (
                    <td data-label="Approval">
                      {payout.awaitingApproval ? (
                        <button
                          type="button"
                          className="button button-primary"
                          aria-label={`Approve payout of ${formatKes(payout.amount)} to ${formatMsisdn(payout.phoneNumber)}`}
                          onClick={() => {
                            setProblem(null);
                            setApproving(payout);
                          }}
                        >
                          Approve
                        </button>
                      ) : (
                        "—"
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!result && !state.problem && <p className="loading">Loading payouts…</p>}
      </div>
      <Pager state={state} noun="payouts" />
      {approving && (
        <ConfirmModal
          id="approve-modal"
          title="Approve this payout?"
          confirmLabel="Approve payout"
          busyLabel="Approving…"
          busy={busy}
          problem={problem}
          onConfirm={() => void approve(approving)}
          onClose={() => {
            setApproving(null);
            state.reload();
          }}
        >
          <p>{describePayout(approving, false)}</p>
          <p>Once approved it is sent to M-Pesa; this cannot be undone.</p>
        </ConfirmModal>
      )}
    </section>
  );
}

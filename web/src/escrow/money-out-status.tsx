/** Where a booking's fee went once it left escrow: the technician's payout or the customer's refund. */
import type { Booking } from "../api/types.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import type { Viewer } from "../lib/booking-life.ts";
import { formatDateTime } from "../lib/format.ts";
import { describePayout, describeRefund, moneyOutStatusWords } from "../lib/money-out-words.ts";

export function MoneyOutStatus({ booking, viewer }: { booking: Booking; viewer: Viewer }) {
  const { payout, refund } = booking;
  if (!payout && !refund) return null;
  return (
    <section className="panel" aria-labelledby="money-out-title" aria-live="polite">
      <h2 id="money-out-title">{payout ? "Payout to the technician" : "Refund"}</h2>
      {payout && (
        <>
          <p className="badges">
            <StatusBadge
              words={moneyOutStatusWords("payout", payout.status, payout.awaitingApproval)}
              testId="payout-status"
            />
          </p>
          <p>{describePayout(payout, payout.technicianId === viewer.id)}</p>
          <Receipt receipt={payout.receipt} at={payout.completedAt} />
        </>
      )}
      {refund && (
        <>
          {payout && <h3>Refund</h3>}
          <p className="badges">
            <StatusBadge words={moneyOutStatusWords("refund", refund.status)} testId="refund-status" />
          </p>
          <p>{describeRefund(refund, refund.customerId === viewer.id)}</p>
          <Receipt receipt={refund.receipt} at={refund.completedAt} />
        </>
      )}
    </section>
  );
}

function Receipt({ receipt, at }: { receipt: string | null; at: string | null }) {
  if (!receipt) return null;
  return (
    <p>
      M-Pesa receipt <strong className="mono">{receipt}</strong> · {formatDateTime(at)}
    </p>
  );
}

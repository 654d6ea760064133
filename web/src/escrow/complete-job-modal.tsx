/**
 * Marking a job done releases its booking fee: the dialog says the split before anyone confirms
 * (the platform's commission, the rest paid out to the technician's M-Pesa, and whether an admin
 * approves payouts first).
 */
import { useState } from "react";
import { completeBooking } from "../api/escrow-endpoints.ts";
import type { Booking } from "../api/types.ts";
import { useAppConfig } from "../app-config.ts";
import { ToneIcon } from "../components/tone-icon.tsx";
import { commissionOf, describeLifeRefusal, type Viewer } from "../lib/booking-life.ts";
import { formatKes, formatMsisdn } from "../lib/format.ts";
import { useSession } from "../session.ts";
import { ConfirmModal, refusalText } from "./confirm-modal.tsx";

export interface CompleteJobModalProps {
  booking: Booking;
  viewer: Viewer;
  onCompleted: (booking: Booking) => void;
  onClose: () => void;
}

export function CompleteJobModal({ booking, viewer, onCompleted, onClose }: CompleteJobModalProps) {
  const config = useAppConfig();
  const session = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fee = booking.bookingFee.amount;
  const percent = config?.commissionPercent ?? null;
  const own = viewer.role === "technician";
  const phone = own ? session?.user.phoneNumber : null;
  const to = own ? `your M-Pesa${phone ? ` ${formatMsisdn(phone)}` : ""}` : "the technician's M-Pesa";

  const confirm = async () => {
    setProblem(null);
    setBusy(true);
    try {
      onCompleted(await completeBooking(booking.id));
    } catch (error) {
      setProblem(refusalText(error, describeLifeRefusal));
      setBusy(false);
    }
  };

  return (
    <ConfirmModal
      id="complete-modal"
      title="Mark this job done?"
      confirmLabel="Mark job done"
      busyLabel="Marking done…"
      busy={busy}
      problem={problem}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      <p className="notice" data-testid="complete-split">
        <ToneIcon tone="success" />
        <span>
          {percent === null
            ? `The booking fee of ${formatKes(fee)} is released: the platform keeps its commission and the rest is paid to ${to}.`
            : `The booking fee of ${formatKes(fee)} is released: ${formatKes(commissionOf(fee, percent))} platform commission (${percent}%), and ${formatKes(fee - commissionOf(fee, percent))} paid to ${to}.`}
          {config?.payoutApproval === "admin" ? " An admin approves each payout before it is sent." : ""}
        </span>
      </p>
      <p className="muted">This cannot be undone.</p>
    </ConfirmModal>
  );
}

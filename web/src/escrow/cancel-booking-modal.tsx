/**
 * Cancelling a booking: the dialog says what happens to the booking fee BEFORE the person confirms
 * (nothing to refund, or the paid fee reversed to the number that paid), and asks why.
 */
import { useState } from "react";
import { ApiError } from "../api/client.ts";
import { cancelBooking } from "../api/escrow-endpoints.ts";
import type { Booking } from "../api/types.ts";
import { Field } from "../components/field.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { cancelOutcome, describeLifeRefusal, type Viewer } from "../lib/booking-life.ts";
import { ConfirmModal, refusalText } from "./confirm-modal.tsx";

const REASON_MAX = 500;

export interface CancelBookingModalProps {
  booking: Booking;
  viewer: Viewer;
  onCancelled: (booking: Booking) => void;
  onClose: () => void;
}

export function CancelBookingModal({ booking, viewer, onCancelled, onClose }: CancelBookingModalProps) {
  const [reason, setReason] = useState("");
  const [reasonProblem, setReasonProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const outcome = cancelOutcome(booking, viewer);

  const confirm = async () => {
    const text = reason.trim();
    if (text === "" || text.length > REASON_MAX) {
      setReasonProblem(text === "" ? "Say why, in a few words." : `Keep it under ${REASON_MAX} characters.`);
      document.getElementById("cancel-reason")?.focus();
      return;
    }
    setReasonProblem(null);
    setProblem(null);
    setBusy(true);
    try {
      onCancelled(await cancelBooking(booking.id, text));
    } catch (error) {
      const fieldError = error instanceof ApiError && error.code === "VALIDATION_ERROR";
      if (fieldError) setReasonProblem(error.message);
      else setProblem(refusalText(error, describeLifeRefusal));
      setBusy(false);
    }
  };

  return (
    <ConfirmModal
      id="cancel-modal"
      title="Cancel this booking?"
      confirmLabel="Cancel booking"
      busyLabel="Cancelling…"
      dismissLabel="Keep booking"
      busy={busy}
      problem={problem}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      <p className="notice" data-testid="cancel-fee-outcome">
        <ToneIcon tone={outcome.fee === "refund" ? "success" : "neutral"} />
        <span>{outcome.text}</span>
      </p>
      <Field id="cancel-reason" label="Why are you cancelling?" error={reasonProblem}>
        {(control) => (
          <textarea
            {...control}
            data-autofocus
            rows={2}
            maxLength={REASON_MAX}
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              if (reasonProblem) setReasonProblem(null);
            }}
            disabled={busy}
          />
        )}
      </Field>
    </ConfirmModal>
  );
}

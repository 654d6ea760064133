/**
 * Confirming one decision on the review queue: what it does is said first, and a note is required
 * (it is recorded with the admin in the item's events). Money found on the statement names the
 * booking it goes to (booking-field.tsx). A refusal from the server — someone decided first, the
 * facts no longer allow it — stays in the dialog in the server's own words.
 */
import { useCallback, useState } from "react";
import { ApiError } from "../api/client.ts";
import { Field } from "../components/field.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { ConfirmModal, refusalText } from "../escrow/confirm-modal.tsx";
import { type Decision, decisionWords } from "../lib/review-words.ts";
import { BookingField, bookingFieldOf, bookingProblemOf } from "./booking-field.tsx";
import { decideDiscrepancy } from "./reconciliation-api.ts";
import { closePaymentReview, resolveMoneyOut, resolvePayment, retryMoneyOut } from "./review-api.ts";

const NOTE_MAX = 500;

export interface DecisionModalProps {
  decision: Decision;
  onDecided: (done: string) => void;
  onClose: () => void;
}

function send(decision: Decision, note: string, bookingId: string): Promise<unknown> {
  switch (decision.type) {
    case "discrepancy":
      return decideDiscrepancy(decision.discrepancy.id, decision.action, {
        note,
        ...(bookingId ? { bookingId } : {}),
      });
    case "hold_fee":
      return resolvePayment(decision.payment.id, "hold_fee", note);
    case "refund_payment":
      return resolvePayment(decision.payment.id, "refund", note);
    case "retry":
      return retryMoneyOut(decision.kind, decision.item.id, note);
    case "mark_paid":
      return resolveMoneyOut(decision.kind, decision.item.id, "succeeded", note);
    case "mark_failed":
      return resolveMoneyOut(decision.kind, decision.item.id, "failed", note);
    case "close_review":
      return closePaymentReview(decision.review.id, note);
    default: {
      const _exhaustive: never = decision;
      return _exhaustive;
    }
  }
}

export function DecisionModal({ decision, onDecided, onClose }: DecisionModalProps) {
  const words = decisionWords(decision);
  const [note, setNote] = useState("");
  const [noteProblem, setNoteProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bookingField = bookingFieldOf(decision);
  const [bookingId, setBookingId] = useState("");
  const [bookingProblem, setBookingProblem] = useState<string | null>(null);
  const suggestBooking = useCallback((id: string) => setBookingId((typed) => typed || id), []);

  const confirm = async () => {
    const text = note.trim();
    const booking = bookingId.trim();
    const missingBooking = bookingField === "required" && booking === "";
    setBookingProblem(missingBooking ? "Enter the booking this money was paid for." : null);
    setNoteProblem(text === "" ? "Write a note: it is recorded with your decision." : null);
    if (missingBooking || text === "") {
      document.getElementById(missingBooking ? "decision-booking" : "decision-note")?.focus();
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await send(decision, text, bookingField ? booking : "");
      onDecided(words.done);
    } catch (error) {
      const onBooking = bookingField ? bookingProblemOf(error) : null;
      if (onBooking) setBookingProblem(onBooking);
      else if (error instanceof ApiError && error.code === "VALIDATION_ERROR") setNoteProblem(error.message);
      else setProblem(refusalText(error, () => null));
      setBusy(false);
    }
  };

  return (
    <ConfirmModal
      id="decision-modal"
      title={words.title}
      confirmLabel={words.confirm}
      busyLabel={words.busy}
      busy={busy}
      problem={problem}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      <p className="notice" data-testid="decision-effect">
        <ToneIcon tone="warning" />
        <span>{words.effect}</span>
      </p>
      {bookingField && decision.type === "discrepancy" && (
        <BookingField
          need={bookingField}
          discrepancy={decision.discrepancy}
          value={bookingId}
          error={bookingProblem}
          disabled={busy}
          onChange={(value) => {
            setBookingId(value);
            if (bookingProblem) setBookingProblem(null);
          }}
          onSuggested={suggestBooking}
        />
      )}
      <Field
        id="decision-note"
        label="Note"
        hint="Why you decided so (what the statement shows, who you spoke to): recorded with your name."
        error={noteProblem}
      >
        {(control) => (
          <textarea
            {...control}
            data-autofocus={bookingField ? undefined : true}
            rows={3}
            maxLength={NOTE_MAX}
            value={note}
            onChange={(event) => {
              setNote(event.target.value);
              if (noteProblem) setNoteProblem(null);
            }}
            disabled={busy}
          />
        )}
      </Field>
    </ConfirmModal>
  );
}

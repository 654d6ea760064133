/**
 * The booking that money found on the statement goes to, in the decision dialog: required to
 * attach it, optional to refund it (the server then takes the probable attempt's booking, or the
 * one the statement's account names). When the statement names a probable attempt of ours, its
 * booking is filled in: the admin checks it rather than types it.
 */
import { useEffect } from "react";
import { ApiError } from "../api/client.ts";
import { fetchTransaction } from "../api/endpoints.ts";
import { Field } from "../components/field.tsx";
import { formErrorsFrom } from "../lib/field-errors.ts";
import type { Decision } from "../lib/review-words.ts";
import type { ReconciliationDiscrepancy } from "./reconciliation-api.ts";

export type BookingNeed = "required" | "optional";

export function bookingFieldOf(decision: Decision): BookingNeed | null {
  if (decision.type !== "discrepancy") return null;
  if (decision.action === "attach") return "required";
  return decision.action === "refund" ? "optional" : null;
}

/** The server's words about the booking, when its refusal is about the booking. */
export function bookingProblemOf(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const placed = formErrorsFrom(error, ["bookingId"] as const, {
    BOOKING_NOT_FOUND: "bookingId",
    BOOKING_REQUIRED: "bookingId",
  });
  return placed.fields.bookingId ?? null;
}

export function BookingField(props: {
  need: BookingNeed;
  discrepancy: ReconciliationDiscrepancy;
  value: string;
  error: string | null;
  disabled: boolean;
  onChange: (value: string) => void;
  /** The probable attempt's booking, once read (the parent keeps what the admin typed meanwhile). */
  onSuggested: (bookingId: string) => void;
}) {
  const { need, discrepancy, value, onChange, onSuggested } = props;
  const attempt = discrepancy.candidateTransactionId;
  useEffect(() => {
    if (!attempt) return;
    const abort = new AbortController();
    // Only a suggestion: if the attempt cannot be read, the admin types the booking.
    fetchTransaction(attempt, abort.signal).then(
      (transaction) => onSuggested(transaction.bookingId),
      () => {},
    );
    return () => abort.abort();
  }, [attempt, onSuggested]);

  const account = discrepancy.accountNumber
    ? ` The statement's account is ${discrepancy.accountNumber}.`
    : "";
  const hint = attempt
    ? `Filled in from our attempt ${attempt}, which this money probably paid: check it.`
    : `The booking's id, as on its page (/bookings/…).${account}`;
  return (
    <Field
      id="decision-booking"
      label={need === "required" ? "Booking" : "Booking (optional)"}
      hint={hint}
      error={props.error}
    >
      {(control) => (
        <input
          {...control}
          data-autofocus
          className="mono"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          disabled={props.disabled}
        />
      )}
    </Field>
  );
}

/**
 * A labelled form control with its hint and its error next to it. The control is rendered by the
 * caller with the ids and ARIA attributes given here, so screen readers announce label, hint and error.
 */
import type { ReactNode } from "react";
import { ToneIcon } from "./tone-icon.tsx";

export interface ControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}

export interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (control: ControlProps) => ReactNode;
}

export function Field({ id, label, hint, error, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {error && (
        <p className="field-error" id={errorId}>
          <ToneIcon tone="warning" />
          {error}
        </p>
      )}
    </div>
  );
}

/** A message about the whole form, announced when it appears. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      <ToneIcon tone="warning" />
      {message}
    </p>
  );
}

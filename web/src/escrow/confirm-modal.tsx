/**
 * A dialog that asks before a step that moves money or cannot be undone (cancel, mark done, assign):
 * what will happen is said in its body, the confirm button names the step, and a refusal from the
 * server stays in the dialog next to the buttons.
 */
import type { FormEvent, ReactNode } from "react";
import { FormError } from "../components/field.tsx";
import { Modal } from "../components/modal.tsx";

export interface ConfirmModalProps {
  id: string;
  title: string;
  confirmLabel: string;
  busyLabel: string;
  /** The button that leaves everything as it was (focused first unless the body asks for focus). */
  dismissLabel?: string;
  busy: boolean;
  problem: string | null;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}

export function ConfirmModal(props: ConfirmModalProps) {
  const { id, title, busy } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) props.onConfirm();
  };
  return (
    <Modal titleId={`${id}-title`} onClose={props.onClose} testId={id}>
      <form onSubmit={submit} noValidate className="stack">
        <div className="modal-header">
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" className="icon-button" onClick={props.onClose} aria-label="Close">
            ×
          </button>
        </div>
        {props.children}
        <FormError message={props.problem} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {busy ? props.busyLabel : props.confirmLabel}
          </button>
          <button type="button" className="button button-secondary" onClick={props.onClose} data-autofocus>
            {props.dismissLabel ?? "Not now"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The words for a refusal: ours for the codes we know, else the server's own message. */
export function refusalText(error: unknown, describe: (code: string) => string | null): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") {
    const words = describe(error.code);
    if (words) return words;
  }
  return error instanceof Error ? error.message : "Something went wrong. Please try again.";
}

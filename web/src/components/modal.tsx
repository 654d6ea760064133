/**
 * A modal dialog on the native <dialog> (showModal makes the page behind inert), plus an explicit
 * Tab/Shift+Tab cycle so focus never leaves it, Escape to close, and focus returned to whatever
 * opened it.
 */
import { type ReactNode, useEffect, useRef } from "react";
import { useToastHost } from "./toast.tsx";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ModalProps {
  titleId: string;
  onClose: () => void;
  children: ReactNode;
  /** Stable id for tests and styling. */
  testId?: string;
}

export function Modal({ titleId, onClose, children, testId }: ModalProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useToastHost(dialogRef);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const first =
      dialog.querySelector<HTMLElement>("[data-autofocus]") ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    // A native listener: the toasts are portalled into the dialog, and React sends their key events
    // up its own tree (to the toast provider), not through this dialog.
    const trap = (event: KeyboardEvent) => trapTab(dialog, event);
    dialog.addEventListener("keydown", trap);
    return () => {
      dialog.removeEventListener("keydown", trap);
      dialog.close();
      // Back to what opened the dialog; if that is gone (the Pay button once paid), to the page's heading.
      if (opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>("main h1")?.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className="modal"
      aria-labelledby={titleId}
      aria-modal="true"
      data-testid={testId}
      // Escape fires "cancel": close through React so state stays the single source of truth.
      onCancel={(event) => {
        event.preventDefault();
        closeRef.current();
      }}
    >
      <div className="modal-body">{children}</div>
    </dialog>
  );
}

/** Tab past the last control goes to the first, Shift+Tab before the first to the last. */
function trapTab(dialog: HTMLDialogElement, event: KeyboardEvent): void {
  if (event.key !== "Tab") return;
  // Rendered elements only (getClientRects is empty for display: none); toasts in the top layer count.
  const focusable = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => element.getClientRects().length > 0 || element === document.activeElement,
  );
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  const known = active instanceof HTMLElement && focusable.includes(active);
  if (event.shiftKey && (active === first || !known)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !known)) {
    event.preventDefault();
    first.focus();
  }
}

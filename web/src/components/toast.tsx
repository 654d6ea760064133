/** Short notices about outcomes (paid, failed, refused), announced politely and dismissable. */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { Tone } from "../lib/words.ts";
import { ToneIcon } from "./tone-icon.tsx";

export interface Toast {
  id: number;
  tone: Tone;
  text: string;
}

type Show = (tone: Tone, text: string) => void;

const ToastContext = createContext<Show>(() => {});

const TOAST_MS = 6_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setToasts((list) => list.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback<Show>(
    (tone, text) => {
      const id = nextId.current++;
      setToasts((list) => [...list.slice(-2), { id, tone, text }]);
      setTimeout(() => dismiss(id), TOAST_MS);
    },
    [dismiss],
  );

  // The region is a popover so a toast shows above an open modal dialog (both live in the top layer;
  // the one shown last is on top).
  const regionRef = useRef<HTMLDivElement>(null);
  const newest = toasts[toasts.length - 1]?.id;
  useEffect(() => {
    const region = regionRef.current;
    if (!region || typeof region.showPopover !== "function") return;
    if (region.matches(":popover-open")) region.hidePopover();
    if (newest !== undefined) region.showPopover();
  }, [newest]);

  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div ref={regionRef} className="toasts" popover="manual" aria-live="polite" aria-atomic="false">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`} data-testid="toast">
            <ToneIcon tone={toast.tone} />
            <span className="toast-text">{toast.text}</span>
            <button
              type="button"
              className="toast-close"
              onClick={() => dismiss(toast.id)}
              aria-label="Dismiss"
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Show {
  return useContext(ToastContext);
}

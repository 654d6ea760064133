/**
 * Short notices about outcomes (paid, failed, refused), announced politely and dismissable.
 *
 * While a modal dialog is open everything outside it is inert (no clicks, no keyboard, hidden from
 * screen readers), so an open dialog hosts the toast region: `useToastHost` moves it inside.
 */
import {
  createContext,
  type ReactNode,
  type RefObject,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import type { Tone } from "../lib/words.ts";
import { ToneIcon } from "./tone-icon.tsx";

export interface Toast {
  id: number;
  tone: Tone;
  text: string;
}

type Show = (tone: Tone, text: string) => void;

const ToastContext = createContext<Show>(() => {});

interface HostRegistry {
  add(host: HTMLElement): void;
  remove(host: HTMLElement): void;
}

const HostContext = createContext<HostRegistry>({ add() {}, remove() {} });

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

  // Open dialogs, innermost last: the region lives in the innermost one.
  const [hosts, setHosts] = useState<HTMLElement[]>([]);
  const registry = useMemo<HostRegistry>(
    () => ({
      add: (host) => setHosts((list) => [...list.filter((h) => h !== host), host]),
      remove: (host) => setHosts((list) => list.filter((h) => h !== host)),
    }),
    [],
  );
  const host = hosts[hosts.length - 1] ?? null;

  // The region is a popover so a toast shows above an open modal dialog (both live in the top layer;
  // the one shown last is on top).
  const regionRef = useRef<HTMLDivElement>(null);
  const newest = toasts[toasts.length - 1]?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new host means a new region element to show
  useEffect(() => {
    const region = regionRef.current;
    // A dialog closed in the same update as a toast appeared: the region is still in the detached
    // dialog until the next render moves it back to the page, where this runs again (a new host).
    if (!region?.isConnected || typeof region.showPopover !== "function") return;
    if (region.matches(":popover-open")) region.hidePopover();
    if (newest !== undefined) region.showPopover();
  }, [newest, host]);

  const region = (
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
  );

  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      <HostContext.Provider value={registry}>
        {children}
        {host ? createPortal(region, host) : region}
      </HostContext.Provider>
    </ToastContext.Provider>
  );
}

export function useToast(): Show {
  return useContext(ToastContext);
}

/** Makes the open modal dialog in `ref` host the toasts while it is mounted. */
export function useToastHost(ref: RefObject<HTMLElement | null>): void {
  const registry = useContext(HostContext);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    registry.add(host);
    return () => registry.remove(host);
  }, [registry, ref]);
}

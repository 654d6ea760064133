/**
 * Turns an ended session into callback deliveries: the session's plan (once, never, twice, late)
 * first, then the seeded callback faults (lost, duplicate, delayed, reordered).
 */
import type { CallbackSender } from "./callbacks.ts";
import type { FaultInjector } from "./faults.ts";
import type { StkSession } from "./sessions.ts";

/** The second copy of a duplicated callback follows the first after this long (real-Daraja ms). */
export const DUPLICATE_GAP_MS = 1_500;

export interface DispatchDeps {
  callbacks: CallbackSender;
  faults: FaultInjector;
  callbackDelayMs: number;
}

export function dispatchCallback(session: StkSession, deps: DispatchDeps): void {
  const delayMs = deps.callbackDelayMs;
  switch (session.callbackPlan) {
    case "never":
      deps.callbacks.suppress(session, `test number ${session.phoneNumber}: the callback is never sent`);
      return;
    case "once":
      sendWithFaults(session, delayMs, null, deps);
      return;
    case "late":
      sendWithFaults(session, delayMs, "late: sent after the prompt timeout", deps);
      return;
    case "twice":
      sendWithFaults(session, delayMs, null, deps);
      deps.callbacks.schedule(session, {
        delayMs: delayMs + DUPLICATE_GAP_MS,
        copy: "duplicate",
        note: `test number ${session.phoneNumber}: the callback is sent twice`,
      });
      return;
    default: {
      const _exhaustive: never = session.callbackPlan;
      throw new Error(`unknown callback plan ${String(_exhaustive)}`);
    }
  }
}

function sendWithFaults(session: StkSession, delayMs: number, note: string | null, deps: DispatchDeps): void {
  const { callbacks, faults } = deps;
  if (faults.roll("callbackLost")) {
    callbacks.suppress(session, "fault: callbackLost");
    return;
  }
  const duplicate = faults.roll("callbackDuplicate");
  const delayed = faults.roll("callbackDelayed");
  const reorder = faults.roll("callbackReordered");
  const notes = [
    note,
    delayed ? "fault: callbackDelayed" : null,
    reorder ? "fault: callbackReordered" : null,
  ];
  const extra = delayed ? faults.config.delayedCallbackMs : 0;
  callbacks.schedule(session, {
    delayMs: delayMs + extra,
    note: notes.filter(Boolean).join("; ") || null,
    reorder,
  });
  if (duplicate)
    callbacks.schedule(session, {
      delayMs: delayMs + extra + DUPLICATE_GAP_MS,
      copy: "duplicate",
      note: "fault: callbackDuplicate",
    });
}

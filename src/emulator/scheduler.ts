/**
 * Every emulator delay goes through here: multiplied by the current time scale, tracked so that
 * close() and reset() cancel everything still pending.
 */
export interface Scheduler {
  /** Runs `task` after `delayMs` real-Daraja milliseconds (scaled). Returns a cancel function. */
  after(delayMs: number, task: () => void): () => void;
  /** Milliseconds actually waited for `delayMs` at the current scale. */
  scaled(delayMs: number): number;
  timeScale: number;
  cancelAll(): void;
}

export function createScheduler(initialScale: number, onError: (error: unknown) => void): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  const scheduler: Scheduler = {
    timeScale: initialScale,
    scaled: (delayMs) => Math.max(0, Math.round(delayMs * scheduler.timeScale)),
    after(delayMs, task) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        try {
          task();
        } catch (error) {
          onError(error);
        }
      }, scheduler.scaled(delayMs));
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    cancelAll() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
  return scheduler;
}

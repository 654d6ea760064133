/**
 * Counts events per key (a source address) in fixed windows, in this process, like the HTTP rate
 * limits: behind several processes each counts on its own, which still bounds a flood per process.
 * Memory is bounded too: past `maxKeys` addresses in one window, new ones share a single count.
 */
export interface WindowCounter {
  /** Counts one event for `key`; false when the key is over `limit` in the current window. */
  take(key: string, now: Date, limit: number): boolean;
}

const SHARED = "\u0000shared";

export function createWindowCounter(windowMs: number, maxKeys = 10_000): WindowCounter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, now, limit) {
      const at = now.getTime();
      if (!windows.has(key) && windows.size >= maxKeys) {
        for (const [k, w] of windows) if (at - w.start >= windowMs) windows.delete(k);
        if (windows.size >= maxKeys) key = SHARED;
      }
      const current = windows.get(key);
      if (!current || at - current.start >= windowMs) {
        windows.set(key, { start: at, count: 1 });
        return limit >= 1;
      }
      current.count += 1;
      return current.count <= limit;
    },
  };
}

/**
 * Group commit for short write transactions that arrive together (a burst of M-Pesa callbacks).
 * A commit is the costly part of such a transaction: SQLite syncs its write-ahead log to disk
 * (FULL), PostgreSQL adds a BEGIN and a COMMIT round trip and a log flush. Works that arrive while
 * the engine is busy with earlier ones wait, and the next group runs them one after another in ONE
 * transaction and ONE commit. A work that arrives when the engine is idle waits one turn of the
 * event loop (for the others read in the same turn) and runs: grouping adds no wait beyond that
 * turn, it only shares the commit that waiting would have cost anyway.
 *
 * All or nothing, as before: a group's works commit together or not at all. When any of them
 * throws (a lost compare-and-set, a unique key another payment took) or the commit fails, nothing
 * of the group is written, and every work in it runs again alone, in its own transaction, exactly
 * as it would have without the group: so a work must be a function of the database and its input
 * only (it may run twice; only the last run's writes are kept). Nothing a work does outside the
 * transaction may matter before it resolves.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

export type GroupedWork<T> = (trx: Transaction<Database>) => Promise<T>;

export interface WriteGroupOptions {
  /** Groups in flight at once: 1 on SQLite (one writer), a share of the pool on PostgreSQL. */
  concurrency: number;
  /** Works in one group at most (bounds a transaction's size and its works' wait). */
  maxGroup: number;
}

export interface WriteGroupStats {
  /** Transactions that ran two works or more. */
  groups: number;
  /** Works run in a group (and committed with it). */
  grouped: number;
  /** Works run alone: idle engine, a group of one, or again after their group failed. */
  alone: number;
  /** Groups rolled back and their works run again alone. */
  regrouped: number;
}

export interface WriteGroups {
  /** Runs `work` in a transaction, maybe shared with others; resolves once that transaction committed. */
  run<T>(work: GroupedWork<T>): Promise<T>;
  stats(): WriteGroupStats;
}

interface Waiting {
  work: GroupedWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function writeGroups(kysely: Kysely<Database>, options: WriteGroupOptions): WriteGroups {
  const { concurrency, maxGroup } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be ≥ 1");
  if (!Number.isSafeInteger(maxGroup) || maxGroup < 1) throw new RangeError("maxGroup must be ≥ 1");
  const waiting: Waiting[] = [];
  const stats: WriteGroupStats = { groups: 0, grouped: 0, alone: 0, regrouped: 0 };
  let inFlight = 0;

  async function alone(w: Waiting): Promise<void> {
    stats.alone++;
    try {
      w.resolve(await kysely.transaction().execute(w.work));
    } catch (error) {
      w.reject(error);
    }
  }

  async function together(group: Waiting[]): Promise<void> {
    let results: unknown[];
    try {
      results = await kysely.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const w of group) out.push(await w.work(trx));
        return out;
      });
    } catch {
      // Rolled back whole: each runs again by itself, and succeeds or fails on its own.
      stats.regrouped++;
      await Promise.all(group.map(alone));
      return;
    }
    stats.groups++;
    stats.grouped += group.length;
    group.forEach((w, i) => {
      w.resolve(results[i]);
    });
  }

  function startGroups(): void {
    while (inFlight < concurrency && waiting.length > 0) {
      const group = waiting.splice(0, maxGroup);
      inFlight++;
      const done = group.length === 1 ? alone(group[0] as Waiting) : together(group);
      void done.finally(() => {
        inFlight--;
        startGroups();
      });
    }
  }

  // A group starts on the next turn of the event loop, not at once: the requests that arrived
  // together are all read in one turn (on SQLite a transaction never yields to I/O, so without
  // this turn no second work would ever be waiting), and they share the group.
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      startGroups();
    });
  };

  return {
    run<T>(work: GroupedWork<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (inFlight < concurrency) schedule();
      });
    },
    stats: () => ({ ...stats }),
  };
}

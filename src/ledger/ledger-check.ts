/**
 * The books checked while the service runs: every entry sums to zero, and the money in escrow equals
 * the booking fees marked `held`. Run periodically in every process; the last result is exposed as
 * Prometheus gauges and in `/ready`'s detail. A broken ledger is an alarm for a person, not a reason
 * to stop serving, so it never makes `/ready` fail.
 */
import { type Kysely, sql } from "kysely";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";

export interface LedgerCheckResult {
  checkedAt: string;
  /** Sum of every entry; 0 in a balanced ledger. */
  entriesSumKes: number;
  /** Money in escrow (the escrow account's credit) minus Σ amount of held fees; 0 when they agree. */
  escrowDifferenceKes: number;
  balanced: boolean;
}

/** One consistent reading (a single statement, so one snapshot on both engines). */
export async function checkLedger(executor: Kysely<Database>, at: Date): Promise<LedgerCheckResult> {
  const sum = sql<string | number>`coalesce(sum(amount), 0)`;
  const row = await executor
    .selectNoFrom((eb) => [
      eb.selectFrom("ledger_entries").select(sum.as("v")).as("entries_sum"),
      eb
        .selectFrom("ledger_entries")
        .select(sum.as("v"))
        .where("account_code", "=", "booking_fee_escrow")
        .as("escrow_balance"),
      eb.selectFrom("booking_fees").select(sum.as("v")).where("status", "=", "held").as("held_fees"),
    ])
    .executeTakeFirstOrThrow();
  // PostgreSQL returns SUM over integers as a bigint string. Credits are negative: escrow holds −balance.
  const entriesSumKes = Number(row.entries_sum ?? 0);
  const escrowDifferenceKes = -Number(row.escrow_balance ?? 0) - Number(row.held_fees ?? 0);
  return {
    checkedAt: at.toISOString(),
    entriesSumKes,
    escrowDifferenceKes,
    balanced: entriesSumKes === 0 && escrowDifferenceKes === 0,
  };
}

export interface LedgerMonitor {
  /** Checks now, records the result (gauges, `latest`) and returns it. */
  runOnce(): Promise<LedgerCheckResult>;
  /** The last completed check, or null before the first. */
  latest(): LedgerCheckResult | null;
  /** Checks once now (waiting for it), then every `intervalMs`. */
  start(): Promise<void>;
  /** Stops the schedule and waits for a check in progress. */
  stop(): Promise<void>;
}

export interface LedgerMonitorDeps {
  db: { kysely: Kysely<Database> };
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  intervalMs: number;
}

export function createLedgerMonitor(deps: LedgerMonitorDeps): LedgerMonitor {
  const { metrics, logger, clock } = deps;
  let last: LedgerCheckResult | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  async function runOnce(): Promise<LedgerCheckResult> {
    const result = await checkLedger(deps.db.kysely, clock.now());
    metrics.ledgerEntriesSum.set(result.entriesSumKes);
    metrics.ledgerEscrowDifference.set(result.escrowDifferenceKes);
    metrics.ledgerCheckTimestamp.set(Date.parse(result.checkedAt) / 1000);
    // Said once when the books go wrong (and once when they are right again), not every interval.
    if (!result.balanced && (last === null || last.balanced))
      logger.error(
        { entriesSumKes: result.entriesSumKes, escrowDifferenceKes: result.escrowDifferenceKes },
        "ledger check failed: the books do not balance",
      );
    else if (result.balanced && last !== null && !last.balanced) logger.info("ledger check: balanced again");
    last = result;
    return result;
  }

  /** A scheduled run (one at a time): a failure (database away) is logged; the timestamp gauge then grows old. */
  function tick(): Promise<unknown> {
    running ??= runOnce()
      .catch((error) => logger.warn({ err: error }, "ledger check could not run"))
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    runOnce,
    latest: () => last,
    async start() {
      if (timer) return;
      timer = setInterval(() => void tick(), deps.intervalMs);
      timer.unref();
      await tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

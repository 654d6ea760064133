/** The summary table of chaos runs (PURE), as Markdown so it pastes into the results file. */
import type { RunResult } from "./run.ts";

const COLUMNS = [
  "engine",
  "payments",
  "completed (no receipt)",
  "failed",
  "overpaid",
  "Daraja took",
  "payouts (ok/failed)",
  "refunds (ok/failed)",
  "for a person",
  "kills",
  "webhook events",
  "deliveries",
  "duplicates",
  "violations",
  "seconds",
] as const;

export function summaryTable(results: RunResult[]): string {
  const rows = results.map((r) => {
    const t = r.tally;
    const cells = t
      ? [
          t.payments,
          `${t.completed} (${t.completedWithoutReceipt})`,
          t.failed,
          t.overpaid,
          t.darajaTook,
          `${t.payouts} (${t.payoutsSucceeded}/${t.payoutsFailed})`,
          `${t.refunds} (${t.refundsSucceeded}/${t.refundsFailed})`,
          t.forAPerson,
        ]
      : Array.from({ length: 8 }, () => "—");
    const hooks = t ? [t.webhookEvents, t.webhookRequests, t.webhookDuplicates] : ["—", "—", "—"];
    return [r.engine, ...cells, r.kills, ...hooks, r.violations.length, r.seconds].map(String);
  });
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(COLUMNS), line(COLUMNS.map(() => "---")), ...rows.map(line)].join("\n");
}

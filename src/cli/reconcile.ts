/**
 * `npm run reconcile -- --statement FILE [--from DATE --to DATE]`
 * Reconciles an M-Pesa statement (the organisation portal's CSV export) against the database, as
 * `POST /admin/reconciliations` does, and prints the run. The same file again prints the same run
 * and writes nothing. Exit 0 when reconciled (whatever it found), 1 when the file cannot be read
 * (the message names the line; nothing is written), 2 on a usage error.
 */
import "../../scripts/require-node.mjs"; // first: an older Node is told what it needs
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { systemClock } from "../clock.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createDatabase, migrateToLatest } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { importStatement } from "../reconciliation/import-statement.ts";
import { formatKes } from "../reconciliation/matching.ts";
import { periodOf, type RunDetail, readRunDetail } from "../reconciliation/reconciliation.service.ts";
import { parseStatement } from "../reconciliation/statement-csv.ts";

const USAGE = `Usage:
  npm run reconcile -- --statement <file.csv> [--from <date> --to <date>]
The period defaults to the statement's first and last line; a date is its midnight in Nairobi.`;

function summary(detail: RunDetail, created: boolean): string {
  const { run, discrepancies } = detail;
  const b = run.balances;
  const lines = [
    `Run ${run.id} (${created ? "new" : "imported before: nothing written"})`,
    `Period: ${run.period ? `${run.period.from} to ${run.period.to}` : "none"}`,
    `Lines: ${run.lines}; matched ${run.matched.payments} payments, ${run.matched.payouts} payouts, ${run.matched.refunds} refunds; ` +
      `${run.charges.count} charges (${formatKes(run.charges.amountCents)}); ${run.other.count} other; ${run.ignored} without money`,
    `Statement movement ${formatKes(b.statement.movementCents)}, ledger mpesa_clearing ${formatKes(b.ledgerMovementCents)}: ` +
      `difference ${formatKes(b.differenceCents)}, unexplained beyond charges ${formatKes(b.unexplainedCents)}`,
  ];
  if (b.accountBalance?.utilityCents != null)
    lines.push(
      `Account Balance (${b.accountBalance.balancesAt ?? b.accountBalance.receivedAt}): Utility ${formatKes(b.accountBalance.utilityCents)}, ` +
        `ledger ${formatKes(b.accountBalance.ledgerClearingCents ?? 0)}`,
    );
  const d = run.discrepancies;
  lines.push(
    `Discrepancies: ${d.total} (missing_here ${d.missing_here}, missing_there ${d.missing_there}, ` +
      `amount_differs ${d.amount_differs}, status_differs ${d.status_differs}); ${d.open} open`,
  );
  for (const item of discrepancies)
    lines.push(
      `  ${item.lineNumber === null ? "ours   " : `line ${String(item.lineNumber).padEnd(3)}`} ${item.kind.padEnd(14)} ` +
        `${(item.receipt ?? "-").padEnd(10)} ${item.detail}${item.state === "open" ? "" : ` [${item.resolution}]`}`,
    );
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      statement: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.statement) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const period = periodOf({ from: values.from, to: values.to });
  const statement = parseStatement(await readFile(values.statement, "utf8"));
  const config = loadConfig();
  const db = createDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const { run, created } = await importStatement(
      { db, clock: systemClock },
      { statement, period, source: "cli", createdBy: null },
    );
    console.log(summary(await readRunDetail(db, run.id), created));
    return 0;
  } finally {
    await db.destroy();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof AppError || error instanceof ConfigError) console.error(error.message);
  else if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    console.error(`${error.message}\n${USAGE}`);
  else if ((error as NodeJS.ErrnoException).code === "ENOENT")
    console.error(`No such file: ${(error as NodeJS.ErrnoException).path}`);
  else console.error(error);
  process.exitCode = 1;
}

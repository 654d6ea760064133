/**
 * `npm run chaos -- [--n 300] [--seed s] [--engine sqlite|postgres|both] [--keep] [--out dir]`
 *
 * Drives payments, payouts and refunds through Malipo's public API against the Daraja emulator with
 * seeded faults on every API, kills Malipo's processes with SIGKILL and starts them again, fails the
 * webhook receiver for a while, then checks Malipo against the emulator's own record of what Daraja
 * took and paid, the books and the logs. Prints a summary table; exits 1 on any violation, with the
 * evidence (logs, both records, the database) kept in the folder it prints.
 */
import "../require-node.mjs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./cluster.ts";
import { type RunResult, runChaos } from "./run.ts";
import { summaryTable } from "./summary.ts";

const USAGE = `Usage: npm run chaos -- [--n <payments>] [--seed <seed>] [--engine sqlite|postgres|both]
                       [--keep] [--out <dir>] [--settle <seconds>]`;

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "300" },
    seed: { type: "string" },
    engine: { type: "string", default: "both" },
    keep: { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "data", "chaos") },
    settle: { type: "string", default: "240" },
    help: { type: "boolean", short: "h", default: false },
  },
});
const payments = Number(values.n);
const engines: string[] = values.engine === "both" ? ["sqlite", "postgres"] : [values.engine];
if (
  values.help ||
  !Number.isInteger(payments) ||
  payments < 1 ||
  !engines.every((e) => e === "sqlite" || e === "postgres")
) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const seed = values.seed ?? randomBytes(4).toString("hex");
if (!/^[A-Za-z0-9-]{1,32}$/.test(seed)) {
  console.error("--seed: letters, digits and dashes, at most 32");
  process.exit(2);
}

console.log(`chaos run: seed ${seed}, ${payments} payments, engine ${engines.join(" and ")}`);
const results: RunResult[] = [];
for (const engine of engines as Array<"sqlite" | "postgres">) {
  results.push(
    await runChaos({
      engine,
      seed,
      payments,
      keep: values.keep,
      outDir: values.out,
      settleMs: Number(values.settle) * 1_000,
      postgresUrl: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
      log: (line) => console.log(line),
    }),
  );
}

console.log(`\n${summaryTable(results)}`);
for (const r of results) {
  if (r.violations.length === 0) continue;
  console.log(`\n${r.engine}: ${r.violations.length} violation(s) (all in ${r.evidence}/violations.txt):`);
  for (const v of r.violations.slice(0, 40)) console.log(`  - ${v}`);
}
for (const r of results) console.log(`evidence (${r.engine}): ${r.evidence}`);
process.exit(results.every((r) => r.violations.length === 0) ? 0 : 1);

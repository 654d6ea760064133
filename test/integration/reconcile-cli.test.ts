/**
 * `npm run reconcile -- --statement FILE` as a child process against a database of its own: it
 * migrates, reconciles the portal-shaped CSV and prints the run (every Paid In line is money this
 * empty database never recorded); the same file again prints the same run and writes nothing; a
 * malformed file exits non-zero naming its line, with nothing written; no file is a usage error.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementCsv } from "../../src/emulator/statement-export.ts";
import { createProcessTestDb, type ProcessTestDb, testEngine } from "../support/db.ts";
import { paidInLine } from "../support/statement.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function reconcile(
  database: ProcessTestDb,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["src/cli/reconcile.ts", ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: database.dir, DATABASE_URL: database.url } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe(`npm run reconcile (${testEngine()})`, () => {
  let database: ProcessTestDb;
  let file: string;
  beforeAll(async () => {
    database = await createProcessTestDb();
    const at = new Date("2026-01-15T09:00:00Z");
    const lines = ["UCL0000001", "UCL0000002"].map((receipt, i) =>
      paidInLine(receipt, new Date(at.getTime() + i * 60_000), {
        balanceCents: 100_000_00 + (i + 1) * 50_000,
      }),
    );
    file = join(database.dir, "statement.csv");
    writeFileSync(
      file,
      statementCsv({
        shortcode: "174379",
        organisationName: "MALIPO",
        from: null,
        to: null,
        lines: lines.map(({ lineNumber: _n, kind: _k, ...line }) => ({ ...line, shortcode: "174379" })),
      }),
    );
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  const runs = async () => {
    const db = database.open();
    try {
      return await db.kysely
        .selectFrom("reconciliation_runs")
        .select(["id", "source", "created_by"])
        .execute();
    } finally {
      await db.destroy();
    }
  };

  it("reconciles the file and prints the run; the same file again writes nothing", async () => {
    const first = await reconcile(database, ["--statement", file]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const id = /^Run (rec_\w+) \(new\)$/m.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    expect(first.stdout).toMatch(/^Lines: 2; matched 0 payments, 0 payouts, 0 refunds;/m);
    expect(first.stdout).toMatch(
      /^Discrepancies: 2 \(missing_here 2, missing_there 0, amount_differs 0, status_differs 0\); 2 open$/m,
    );
    expect(first.stdout).toMatch(
      /line \d+ +missing_here +UCL0000001 KES 500\.00 paid in by 25470\*\*\*\*149 - JOHN DOE/,
    );
    expect(first.stdout).toMatch(/^Statement movement KES 1,000\.00, ledger mpesa_clearing KES 0\.00/m);
    expect(await runs()).toEqual([{ id, source: "cli", created_by: null }]);

    const again = await reconcile(database, ["--statement", file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Run ${id} (imported before: nothing written)`);
    expect(await runs()).toHaveLength(1);
  });

  it("a malformed file: a non-zero exit naming the line, and nothing written", async () => {
    const bad = join(database.dir, "bad.csv");
    writeFileSync(
      bad,
      "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn\r\nUBAD000001,yesterday,x,Completed,500.00,\r\n",
    );
    const run = await reconcile(database, ["--statement", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Statement line 2: /);
    expect(await runs()).toHaveLength(1);
    const none = await reconcile(database, ["--statement", join(database.dir, "nope.csv")]);
    expect({ code: none.code, stderr: none.stderr.trim() }).toEqual({
      code: 1,
      stderr: `No such file: ${join(database.dir, "nope.csv")}`,
    });
    expect((await reconcile(database, [])).code).toBe(2);
  });
});

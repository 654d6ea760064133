/**
 * The chaos run's short form, on this project's engine (integration:sqlite runs it on one process
 * over SQLite, integration:postgres on two over one PostgreSQL schema): a few hundred payments,
 * payouts and refunds through the public API against the separately run emulator with seeded faults
 * on every Daraja API, at least three SIGKILLs, a failing webhook receiver — and no violation: every
 * shilling Daraja took or paid is accounted for exactly once, the books agree, nothing is left
 * open, every event reached the receiver signed, no secret or full phone number in the logs.
 * `npm run chaos` is the full tool (README, docs/chaos.md).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../scripts/chaos/run.ts";
import { TEST_PG_URL, testEngine } from "../support/db.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAYMENTS = 200;
const out = mkdtempSync(join(tmpdir(), "malipo-chaos-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("chaos run (short form)", () => {
  it(`${PAYMENTS} payments on ${testEngine()} with faults and kills: no violation`, {
    timeout: 300_000,
  }, async () => {
    const engine = testEngine();
    const args = ["--import", "./scripts/require-node.mjs", "scripts/chaos/main.ts"];
    const flags = ["--n", String(PAYMENTS), "--engine", engine, "--seed", `ci-${engine}`, "--out", out];
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [...args, ...flags, "--settle", "120"],
        { cwd: ROOT, env: { ...process.env, TEST_DATABASE_URL: TEST_PG_URL }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
      );
    });
    const [folder] = readdirSync(out).filter((name) => name.startsWith(`${engine}-ci-`));
    expect(folder, run.output).toBeDefined();
    const result = JSON.parse(readFileSync(join(out, folder as string, "result.json"), "utf8")) as RunResult;
    expect(result.violations, run.output).toEqual([]);
    expect(run.code, run.output).toBe(0);
    expect(result.kills).toBeGreaterThanOrEqual(3);
    const t = result.tally;
    expect(t?.payments).toBeGreaterThanOrEqual(PAYMENTS);
    // Money really moved both ways, and the receiver had work to do.
    expect(t?.darajaTook).toBeGreaterThan(PAYMENTS / 2);
    expect(t?.darajaPaidOut).toBeGreaterThan(0);
    expect(t?.darajaReversed).toBeGreaterThan(0);
    expect(t?.webhookRequests).toBeGreaterThan(t?.webhookEvents ?? 0);
  });
});

/**
 * `npm run bench`: every benchmark, each against a bare baseline measured in the same run on the
 * same machine, reported as ratios; writes bench/RESULTS.md and exits 1 when a target is missed.
 *
 *   request paths        GET /health, GET /bookings/:id, a forged callback — vs bare Fastify
 *   callback ingestion   signed success callbacks applied, on SQLite and PostgreSQL — vs a bare
 *                        node:http server doing the same durable writes with prepared statements
 *
 *   pushes               STK Pushes/s through Malipo and its emulator (a process of its own); time per push at
 *                        1,000,000 attempts of history against 10,000
 *
 *   settling             Daraja calls per push attempt (10 % of callbacks lost, verification off and
 *                        on) and 10,000 attempts settled by the reconciler alone
 *
 *   live                 a payment's change on an open event stream: same process; two processes
 *                        on one PostgreSQL database
 *
 * Settings: BENCH_SECONDS (5, per request-path measurement), BENCH_PENDING (200000 pending attempts
 * of history), BENCH_CALLBACKS (5000 per server and round), BENCH_ROUNDS (3; the median round is reported), BENCH_ENGINES (sqlite,postgres), BENCH_PUSHES (2000),
 * BENCH_PUSH_HISTORY (1000000), BENCH_SETTLING (2000),
 * BENCH_RECONCILER (10000), BENCH_LIVE (300),
 * BENCH_ONLY (paths,callbacks,pushes,settling,live: a subset), TEST_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/test). Traffic goes to 127.0.0.1 only.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import {
  type Engine,
  type IngestionResult,
  runCallbackIngestion,
  warmUpCount,
} from "./callbacks/ingestion.ts";
import { runLiveStatus } from "./live-status.ts";
import { runPushes } from "./pushes/pushes.ts";
import { runSettling } from "./pushes/settling.ts";
import { MAX_RSS_GROWTH_MB, runRequestPaths } from "./request-paths.ts";

/** Callback ingestion: applied/s at least this share of the baseline's; p99 at most this multiple. */
const INGESTION_MIN_RATIO = 0.8;
const INGESTION_MAX_P99_FACTOR = 1.5;
/** Pushes through Malipo per second with the rate raised; time per push at a large history against 10,000. */
const PUSHES_MIN_PER_SECOND = 200;
const PUSH_MAX_GROWTH = 1.2;
/** Daraja requests per push attempt with 10 % of callbacks lost, verification off and on. */
const CALLS_MAX_OFF = 1.2;
const CALLS_MAX_ON = 1.8;
/** A change on an open event stream: same process, and across two processes on PostgreSQL (p99, ms). */
const LIVE_MAX_SAME_MS = 100;
const LIVE_MAX_ACROSS_MS = 500;
/** Malipo's resident memory through every benchmark. */
const MAX_RSS_MB = 200;

const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 5);
const pending = Number(env.BENCH_PENDING ?? 200_000);
const callbacks = Number(env.BENCH_CALLBACKS ?? 5_000);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const engines = (env.BENCH_ENGINES ?? "sqlite,postgres").split(",") as Engine[];
const pushCount = Number(env.BENCH_PUSHES ?? 2_000);
const pushHistory = Number(env.BENCH_PUSH_HISTORY ?? 1_000_000);
const settlingAttempts = Number(env.BENCH_SETTLING ?? 2_000);
const reconcilerAttempts = Number(env.BENCH_RECONCILER ?? 10_000);
const liveCount = Number(env.BENCH_LIVE ?? 300);
/** Which benchmarks to run (all by default): a comma list of the section names below. */
const only = new Set((env.BENCH_ONLY ?? "paths,callbacks,pushes,settling,live").split(","));
const postgresUrl = env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const lines: string[] = [];
const say = (line = "") => {
  lines.push(line);
  console.log(line);
};
let failed = false;
const verdict = (ok: boolean) => {
  if (!ok) failed = true;
  return ok ? "ok" : "**missed**";
};

say("# Benchmark results");
say();
say(`Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores`);
say(
  `(${cpus()[0]?.model.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
);
say(
  `Command: \`BENCH_SECONDS=${seconds} BENCH_PENDING=${pending} BENCH_CALLBACKS=${callbacks} BENCH_ROUNDS=${rounds} BENCH_ENGINES=${engines.join(",")} BENCH_PUSHES=${pushCount} BENCH_PUSH_HISTORY=${pushHistory} BENCH_SETTLING=${settlingAttempts} BENCH_RECONCILER=${reconcilerAttempts} BENCH_LIVE=${liveCount} BENCH_ONLY=${[...only].join(",")} npm run bench\`.`,
);
say();

// Malipo runs as production runs it: compiled (`npm run build`), not from its sources.
if (["paths", "callbacks", "pushes", "settling", "live"].some((name) => only.has(name)))
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });

if (only.has("paths")) {
  const paths = await runRequestPaths(seconds);
  say("## Request paths (20 connections, requests/s averages; baseline: bare Fastify)");
  say();
  say("| path | baseline | Malipo | ratio | target | Malipo p99 | errors | |");
  say("|---|---|---|---|---|---|---|---|");
  for (const r of paths.rows)
    say(
      `| ${r.name} | ${r.baseline.toFixed(0)} | ${r.malipo.toFixed(0)} | ${r.ratio.toFixed(2)} | ≥ ${r.target} | ${r.p99} ms | ${r.errors} | ${verdict(r.ratio >= r.target && r.errors === 0)} |`,
    );
  say();
  say(
    `Resident memory growth over the request paths: ${paths.rssGrowthMb.toFixed(1)} MB (target ≤ ${MAX_RSS_GROWTH_MB} MB) ${verdict(paths.rssGrowthMb <= MAX_RSS_GROWTH_MB)}.`,
  );
  say();
}

if (only.has("callbacks")) {
  const ingestion: IngestionResult[] = [];
  for (const engine of engines)
    ingestion.push(
      await runCallbackIngestion(engine, {
        pending,
        callbacks,
        rounds,
        connections: 50,
        postgresUrl,
        malipoCode: "dist",
      }),
    );
  say(
    `## Callback ingestion (${pending.toLocaleString("en")} pending attempts, ${callbacks.toLocaleString("en")} distinct signed success callbacks per server and round, ${rounds} rounds alternating the servers (the median round shown), each server warmed up first with ${warmUpCount(callbacks).toLocaleString("en")} callbacks not counted, 50 connections, verification off)`,
  );
  say();
  say(
    "Applied/s counts a callback once it is answered AND its payment is completed in the database (a callback Malipo cannot apply at once is answered first and applied after). The baseline is bare node:http + the engine's driver doing the same durable writes in one transaction per callback with prepared (SQLite) or named (PostgreSQL) statements: `bench/callbacks/`. Malipo's callbacks that arrive together share a transaction and its commit (group commit, `src/db/write-groups.ts`), hence fewer transactions than callbacks.",
  );
  say();
  say(
    "| engine | baseline applied/s | Malipo applied/s | ratio (≥ 0.8) | baseline p99 | Malipo p99 (≤ 1.5×) | statements / callback | prepared anew | transactions / callback | |",
  );
  say("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of ingestion) {
    const ratio = r.malipo.appliedPerSecond / r.baseline.appliedPerSecond;
    const p99ok = r.malipo.p99Ms <= INGESTION_MAX_P99_FACTOR * r.baseline.p99Ms;
    const ok = ratio >= INGESTION_MIN_RATIO && p99ok && r.malipo.errors === 0 && r.baseline.errors === 0;
    say(
      `| ${r.engine} | ${r.baseline.appliedPerSecond.toFixed(0)} | ${r.malipo.appliedPerSecond.toFixed(0)} | ${ratio.toFixed(2)} | ${r.baseline.p99Ms} ms | ${r.malipo.p99Ms} ms | ${r.perCallback.statements.toFixed(1)} | ${r.perCallback.prepares.toFixed(1)} | ${r.perCallback.transactions.toFixed(2)} | ${verdict(ok)} |`,
    );
  }
  say();
  for (const r of ingestion)
    say(
      `Peak resident memory of Malipo's process (${r.engine}): ${r.rssMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB) ${verdict(r.rssMb < MAX_RSS_MB)}.`,
    );
  say();
}

if (only.has("pushes")) {
  say(
    `## STK Push initiation (Malipo's emulator in a process of its own, MPESA_RATE_LIMIT_PER_SECOND=2000, ${pushCount.toLocaleString("en")} pushes of distinct customers, 20 connections)`,
  );
  say();
  say("| engine | attempts of history | pushes/s (≥ 200) | mean per push | p99 | errors | peak RSS | |");
  say("|---|---|---|---|---|---|---|---|");
  const growths: string[] = [];
  for (const engine of engines) {
    const small = await runPushes(engine, postgresUrl, 10_000, pushCount);
    const large = await runPushes(engine, postgresUrl, pushHistory, pushCount);
    for (const r of [small, large])
      say(
        `| ${engine} | ${r.history.toLocaleString("en")} | ${r.pushesPerSecond.toFixed(0)} | ${r.meanMs.toFixed(1)} ms | ${r.p99Ms} ms | ${r.errors} | ${r.peakRssMb.toFixed(0)} MB | ${verdict(r.pushesPerSecond >= PUSHES_MIN_PER_SECOND && r.errors === 0 && r.peakRssMb < MAX_RSS_MB)} |`,
      );
    const growth = large.meanMs / small.meanMs;
    growths.push(
      `${engine}: ${growth.toFixed(2)}× (target ≤ ${PUSH_MAX_GROWTH}×) ${verdict(growth <= PUSH_MAX_GROWTH)}`,
    );
  }
  say();
  say(
    `Time per push at ${pushHistory.toLocaleString("en")} attempts of history against 10,000 — ${growths.join("; ")}.`,
  );
  say();
}

if (only.has("settling")) {
  say(
    `## Daraja calls per push attempt (Malipo's emulator in a process of its own, ${settlingAttempts.toLocaleString("en")} attempts, 10 % of callbacks lost; counted at the emulator)`,
  );
  say();
  say(
    "Customers: *mixed* — 7 in 10 pay, 2 cancel, 1 has too little money; *all pay* — every one pays. Verification confirms each success callback with one STK Query (a failure credits nothing and is not confirmed), so with every attempt paid it costs one query per payment by design; the target applies to the mixed run.",
  );
  say();
  say(
    "| engine | verification | customers | completed / failed | calls / attempt | OAuth | STK Push | STK Query | target | settled in | peak RSS | |",
  );
  say("|---|---|---|---|---|---|---|---|---|---|---|---|");
  const reconciler: string[] = [];
  for (const engine of engines) {
    const settle = (verify: boolean, mixed: boolean) =>
      runSettling({
        engine,
        postgresUrl,
        attempts: settlingAttempts,
        lostRate: 0.1,
        verify,
        mixed,
        deadlineSeconds: 180,
      });
    const runs = [
      ["off", "mixed", await settle(false, true), CALLS_MAX_OFF],
      ["on", "mixed", await settle(true, true), CALLS_MAX_ON],
      ["on", "all pay", await settle(true, false), null],
    ] as const;
    for (const [name, mix, r, target] of runs) {
      const p = (path: string) => (r.perPath[path] ?? 0).toFixed(3);
      const ok =
        r.completed + r.failed === r.attempts &&
        (target === null || r.callsPerAttempt <= target) &&
        r.peakRssMb < MAX_RSS_MB;
      say(
        `| ${engine} | ${name} | ${mix} | ${r.completed} / ${r.failed} of ${r.attempts} | ${r.callsPerAttempt.toFixed(2)} | ${p("/oauth/v1/generate")} | ${p("/mpesa/stkpush/v1/processrequest")} | ${p("/mpesa/stkpushquery/v1/query")} | ${target === null ? "—" : `≤ ${target}`} | ${r.settleSeconds.toFixed(1)} s | ${r.peakRssMb.toFixed(0)} MB | ${verdict(ok)} |`,
      );
    }
    const lost = await runSettling({
      engine,
      postgresUrl,
      attempts: reconcilerAttempts,
      lostRate: 1,
      verify: false,
      mixed: false,
      deadlineSeconds: 300,
    });
    reconciler.push(
      `| ${engine} | ${lost.completed.toLocaleString("en")} of ${lost.attempts.toLocaleString("en")} | ${lost.settleSeconds.toFixed(1)} s | ${(lost.settleSeconds - 30).toFixed(1)} s | ${(lost.perPath["/mpesa/stkpushquery/v1/query"] ?? 0).toFixed(2)} | ${lost.peakRssMb.toFixed(0)} MB | ${verdict(lost.completed === lost.attempts && lost.settleSeconds - 30 <= 60 && lost.peakRssMb < MAX_RSS_MB)} |`,
    );
  }
  say();
  say(
    `## Reconciler (every callback lost: ${reconcilerAttempts.toLocaleString("en")} attempts settled only by STK Query, first asked 30 s after each push)`,
  );
  say();
  say(
    "| engine | completed | after the last push | after the last fell due (≤ 60 s) | STK Query / attempt | peak RSS | |",
  );
  say("|---|---|---|---|---|---|---|");
  for (const line of reconciler) say(line);
  say();
}

if (only.has("live")) {
  const live = await runLiveStatus(liveCount, postgresUrl);
  say(
    `## Live status (${liveCount} payments, one at a time: from sending the success callback to the open event stream saying \`completed\`)`,
  );
  say();
  say("| where | p50 | p99 | max | target (p99) | |");
  say("|---|---|---|---|---|---|");
  for (const r of live) {
    const target = r.mode.startsWith("same") ? LIVE_MAX_SAME_MS : LIVE_MAX_ACROSS_MS;
    say(
      `| ${r.mode} | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.maxMs.toFixed(1)} ms | ≤ ${target} ms | ${verdict(r.p99Ms <= target)} |`,
    );
  }
  say();
}

writeFileSync(new URL("./RESULTS.md", import.meta.url), `${lines.join("\n")}\n`);
process.exitCode = failed ? 1 : 0;

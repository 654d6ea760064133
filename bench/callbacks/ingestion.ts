/**
 * Callback ingestion, Malipo against its same-work baseline on one engine: seed `pending` attempts,
 * then send each server distinct signed success callbacks for its own slice (50 connections) and
 * time until every one of them is applied — answered AND completed in the database, since Malipo
 * answers first and applies afterwards. Reports callbacks applied per second, answer latency p99,
 * and for Malipo the statements, prepares and transactions per callback.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { sql } from "kysely";
import pg from "pg";
import { createDatabase, type Db, migrateToLatest } from "../../src/db/database.ts";
import { Secret } from "../../src/secret.ts";
import { answerClock } from "../support/answer-clock.ts";
import { startChildServer } from "../support/child-server.ts";
import { type BenchCallback, type SeededAttempt, seedPendingAttempts, successCallback } from "./seed.ts";

export type Engine = "sqlite" | "postgres";

export interface IngestionOptions {
  /** Pending attempts in the table (history size). */
  pending: number;
  /** Callbacks sent to each server per round. */
  callbacks: number;
  /** Rounds, each server once per round (the median round is reported); 2 × rounds × (warm-up + callbacks) ≤ pending. */
  rounds: number;
  connections: number;
  postgresUrl: string;
  /** Which Malipo runs: its build (`dist`, as production; the caller builds it) or its sources. */
  malipoCode: "dist" | "src";
}

export interface ServerRun {
  appliedPerSecond: number;
  answeredPerSecond: number;
  p99Ms: number;
  errors: number;
}

export interface IngestionResult {
  engine: Engine;
  baseline: ServerRun;
  malipo: ServerRun;
  rounds: number;
  perCallback: { statements: number; prepares: number; transactions: number };
  /** Peak resident memory of Malipo's process over its run, MB. */
  rssMb: number;
}

async function completedAmong(db: Db, ids: string[]): Promise<number> {
  const first = ids[0] as string;
  const last = ids[ids.length - 1] as string;
  const row = await db.kysely
    .selectFrom("payment_transactions")
    .select(sql<string | number>`count(*)`.as("n"))
    .where("id", ">=", first)
    .where("id", "<=", last)
    .where("status", "=", "completed")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function drive(
  url: string,
  callbacks: BenchCallback[],
  connections: number,
  db: Db,
): Promise<ServerRun> {
  let next = 0;
  const clock = answerClock();
  const run = autocannon({
    url,
    connections,
    amount: callbacks.length,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request) => {
          const cb = callbacks[next++ % callbacks.length] as BenchCallback;
          request.path = cb.path;
          request.body = cb.body;
          return request;
        },
        onResponse: () => clock.answered(),
      },
    ],
  });
  // Watched while the run goes on (a cheap indexed count every 20 ms), since autocannon itself
  // settles only a second after the last answer.
  const ids = callbacks.map((c) => c.transactionId);
  const deadline = clock.startedAt + 180_000;
  while ((await completedAmong(db, ids)) < ids.length) {
    if (performance.now() > deadline) throw new Error(`not every callback was applied at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const completedAt = performance.now();
  const result = await run;
  const answered = clock.lastAnswerAt;
  const applied = Math.max(answered, completedAt);
  const started = clock.startedAt;
  return {
    appliedPerSecond: callbacks.length / ((applied - started) / 1000),
    answeredPerSecond: callbacks.length / ((answered - started) / 1000),
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Callbacks each server answers before it is measured: a tenth of a round, 200 to 1,000. */
export function warmUpCount(callbacks: number): number {
  return Math.min(1000, Math.max(200, Math.round(callbacks / 10)));
}

/** The round with the median applied/s (its p99 with it: one round's figures, not a mix). */
function median(runs: ServerRun[]): ServerRun {
  const sorted = [...runs].sort((a, b) => a.appliedPerSecond - b.appliedPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as ServerRun;
}

export async function runCallbackIngestion(engine: Engine, o: IngestionOptions): Promise<IngestionResult> {
  const dir = mkdtempSync(join(tmpdir(), "malipo-bench-"));
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const databaseUrl = engine === "sqlite" ? join(dir, "callbacks.sqlite") : o.postgresUrl;
  if (engine === "postgres") {
    const admin = new pg.Client({ connectionString: o.postgresUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
  }
  // The parent seeds and watches progress through a connection of its own; each server runs in a
  // process of its own (bench/callbacks/server-entry.ts), so its memory and CPU are its own.
  const db = createDatabase(databaseUrl, engine === "postgres" ? { schema, poolSize: 2 } : {});
  const secret = randomBytes(24).toString("hex");
  const entry = new URL("./server-entry.ts", import.meta.url);
  const env = {
    BENCH_ENGINE: engine,
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_SCHEMA: schema,
    BENCH_SECRET: secret,
  };
  try {
    await migrateToLatest(db);
    const attempts = await seedPendingAttempts(db, o.pending);
    const signed = (slice: SeededAttempt[], offset: number) =>
      slice.map((a, i) => successCallback(new Secret(secret), a, offset + i));
    // Rounds alternate the two servers, each on slices of its own, and the median round is
    // reported: a busy machine slows one run, not the comparison.
    const baselineRuns: ServerRun[] = [];
    const malipoRuns: ServerRun[] = [];
    let stats: Awaited<ReturnType<Awaited<ReturnType<typeof startChildServer>>["stats"]>> | null = null;
    let peakRssMb = 0;
    // Each server first answers a warm-up of its own (not counted), so the figures are of a
    // running server, not of its first compilations.
    const warm = warmUpCount(o.callbacks);
    const each = warm + o.callbacks;
    if (2 * o.rounds * each > attempts.length)
      throw new Error(`BENCH_PENDING must be at least ${2 * o.rounds * each} for these rounds`);
    for (let round = 0; round < o.rounds; round++) {
      const slices = (k: number) => {
        const from = (2 * round + k) * each;
        return {
          warm: signed(attempts.slice(from, from + warm), from),
          measured: signed(attempts.slice(from + warm, from + each), from + warm),
        };
      };
      const bare = await startChildServer(entry, { ...env, BENCH_ROLE: "baseline" });
      const forBare = slices(0);
      await drive(bare.url, forBare.warm, o.connections, db);
      baselineRuns.push(await drive(bare.url, forBare.measured, o.connections, db));
      await bare.close();
      const server = await startChildServer(entry, { ...env, BENCH_ROLE: "malipo" });
      const forMalipo = slices(1);
      await drive(server.url, forMalipo.warm, o.connections, db);
      await server.resetCounts();
      malipoRuns.push(await drive(server.url, forMalipo.measured, o.connections, db));
      stats = await server.stats();
      peakRssMb = Math.max(peakRssMb, stats.peakRssMb);
      await server.close();
    }
    const per = (n: unknown) => Number(n) / o.callbacks;
    return {
      engine,
      baseline: median(baselineRuns),
      malipo: median(malipoRuns),
      rounds: o.rounds,
      perCallback: {
        statements: per(stats?.statements),
        prepares: per(stats?.prepares),
        transactions: per(stats?.transactions),
      },
      rssMb: peakRssMb,
    };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (engine === "postgres") {
      const admin = new pg.Client({ connectionString: o.postgresUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

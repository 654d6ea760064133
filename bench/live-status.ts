/**
 * Live status: how soon a payment's change reaches an open event stream. For each of `count`
 * seeded pending attempts: open `GET …/status/:id/events` on one Malipo process, wait for its first
 * `status` event, send the signed success callback to a process (the same one, or another on the
 * same PostgreSQL database), and time until the stream says `completed`. The time measured runs
 * from sending the callback, so it includes the callback's own handling and commit: an upper
 * bound on commit → stream.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../scripts/free-port.ts";
import { createDatabase, migrateToLatest } from "../src/db/database.ts";
import { Secret } from "../src/secret.ts";
import { seedPendingAttempts, successCallback } from "./callbacks/seed.ts";
import { sessionToken } from "./pushes/seed.ts";
import { type ChildServer, startChildServer } from "./support/child-server.ts";

export interface LiveStatusRun {
  mode: "same process (SQLite)" | "two processes (PostgreSQL)";
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

/** Resolves when the stream's data contains `"status":"<status>"` after the first event. */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const until = async (pattern: string) => {
    while (!text.includes(pattern)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before ${pattern}`);
      text += decoder.decode(value, { stream: true });
    }
  };
  return { until, close: () => controller.abort() };
}

async function measure(
  streamOn: ChildServer,
  callbackTo: ChildServer,
  attempts: Awaited<ReturnType<typeof seedPendingAttempts>>,
  secret: string,
  jwtSecret: string,
): Promise<number[]> {
  const token = sessionToken(jwtSecret, "usr_bench", "bench-seed@example.com");
  const latencies: number[] = [];
  for (const [i, attempt] of attempts.entries()) {
    const stream = await openStream(
      `${streamOn.url}/api/v1/payments/mpesa/status/${attempt.transactionId}/events`,
      token,
    );
    try {
      await stream.until("event: status");
      const callback = successCallback(new Secret(secret), attempt, i);
      const sent = performance.now();
      const answer = await fetch(`${callbackTo.url}${callback.path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: callback.body,
      });
      if (!answer.ok) throw new Error(`callback answered ${answer.status}`);
      await stream.until('"status":"completed"');
      latencies.push(performance.now() - sent);
    } finally {
      stream.close();
    }
  }
  return latencies.sort((a, b) => a - b);
}

function summary(mode: LiveStatusRun["mode"], sorted: number[]): LiveStatusRun {
  return {
    mode,
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] as number,
  };
}

const serverEntry = new URL("./pushes/server-entry.ts", import.meta.url);

export async function runLiveStatus(count: number, postgresUrl: string): Promise<LiveStatusRun[]> {
  const secret = randomBytes(24).toString("hex");
  const jwtSecret = randomBytes(32).toString("hex");
  const env = (databaseUrl: string) => async () => ({
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_JWT_SECRET: jwtSecret,
    BENCH_CALLBACK_SECRET: secret,
    BENCH_PORT: String(await freePort()),
  });
  const runs: LiveStatusRun[] = [];

  const dir = mkdtempSync(join(tmpdir(), "malipo-live-"));
  try {
    const file = join(dir, "live.sqlite");
    const db = createDatabase(file);
    await migrateToLatest(db);
    const attempts = await seedPendingAttempts(db, count);
    await db.destroy();
    const one = await startChildServer(serverEntry, await env(file)());
    try {
      runs.push(summary("same process (SQLite)", await measure(one, one, attempts, secret, jwtSecret)));
    } finally {
      await one.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // A database of its own: Malipo uses the default schema of the database it is given.
  const name = `bench_live_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    const db = createDatabase(url.href);
    await migrateToLatest(db);
    const attempts = await seedPendingAttempts(db, count);
    await db.destroy();
    const a = await startChildServer(serverEntry, await env(url.href)());
    const b = await startChildServer(serverEntry, await env(url.href)());
    try {
      runs.push(summary("two processes (PostgreSQL)", await measure(b, a, attempts, secret, jwtSecret)));
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  return runs;
}

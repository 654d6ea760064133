/**
 * Pushes settled through Malipo and its Daraja emulator (a process of its own), on either engine,
 * counted at the emulator:
 *  - Daraja calls per push attempt over a run where 10 % of the callbacks are lost, with callback
 *    verification off and on, customers answering as a mix (`mixed`: 7 in 10 pay, 2 cancel, 1 has
 *    too little money) or all paying; lost callbacks are settled by the reconciler. Verification
 *    confirms each success callback with one STK Query (failures credit nothing and are not
 *    confirmed), so with every attempt paid it costs exactly one query per payment;
 *  - the reconciler alone: every callback lost, so each attempt falls due for its first query
 *    together; how long until all are settled.
 */
import { randomBytes } from "node:crypto";
import { freePort } from "../../scripts/free-port.ts";
import { createBenchDb, type Engine } from "../support/bench-db.ts";
import { startChildServer } from "../support/child-server.ts";
import { pushAll, startEmulatorChild } from "./pushes.ts";
import { seedFreshCustomers } from "./seed.ts";

export interface SettlingRun {
  engine: Engine;
  attempts: number;
  completed: number;
  failed: number;
  /** Daraja requests per attempt, all paths together, and per path. */
  callsPerAttempt: number;
  perPath: Record<string, number>;
  /** From the last push answered until every attempt was completed or failed, s. */
  settleSeconds: number;
  peakRssMb: number;
}

const STK = "/mpesa/stkpush/v1/processrequest";
const QUERY = "/mpesa/stkpushquery/v1/query";
const OAUTH = "/oauth/v1/generate";

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const MIX = [
  "pay_at_once",
  "pay_at_once",
  "pay_at_once",
  "pay_at_once",
  "pay_at_once",
  "pay_at_once",
  "pay_at_once",
  "cancel",
  "cancel",
  "insufficient_funds",
];

/** `attempts` pushes, each to its own phone; `lostRate` of the callbacks never sent. */
export async function runSettling(o: {
  engine: Engine;
  postgresUrl: string;
  attempts: number;
  lostRate: number;
  verify: boolean;
  mixed: boolean;
  deadlineSeconds: number;
}): Promise<SettlingRun> {
  const db = await createBenchDb(o.engine, o.postgresUrl);
  const jwtSecret = randomBytes(32).toString("hex");
  try {
    const customers = await seedFreshCustomers(db, o.attempts, jwtSecret, "a");
    const emulatorChild = await startEmulatorChild(0.05);
    const emulator = emulatorChild.url;
    const server = await startChildServer(new URL("./server-entry.ts", import.meta.url), {
      BENCH_DATABASE_URL: db.url,
      BENCH_JWT_SECRET: jwtSecret,
      BENCH_PORT: String(await freePort()),
      BENCH_EMULATOR_URL: emulator,
      BENCH_RECONCILER: "true",
      BENCH_VERIFY: String(o.verify),
    });
    try {
      for (const [i, c] of customers.entries())
        await control(emulator, "PUT", `/__emulator/numbers/${c.phone}/outcome`, {
          outcome: o.mixed ? MIX[i % MIX.length] : "pay_at_once",
        });
      await control(emulator, "PUT", "/__emulator/faults", {
        seed: "bench",
        rates: { callbackLost: o.lostRate },
      });
      const before = (
        (await control(emulator, "GET", "/__emulator/requests?path=/none")) as {
          totals: Record<string, number>;
        }
      ).totals;
      const { accepted, lastAnswerAt: pushed } = await pushAll(server.url, customers, 20);
      const count = (status: string) =>
        db.count("select count(*) as n from payment_transactions where status = ?", [status]);
      const deadline = pushed + o.deadlineSeconds * 1000;
      while ((await count("completed")) + (await count("failed")) < accepted && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const settleSeconds = (performance.now() - pushed) / 1000;
      const done = await count("completed");
      const failed = await count("failed");
      const after = (
        (await control(emulator, "GET", "/__emulator/requests?path=/none")) as {
          totals: Record<string, number>;
        }
      ).totals;
      const perPath: Record<string, number> = {};
      for (const path of [OAUTH, STK, QUERY])
        perPath[path] = ((after[path] ?? 0) - (before[path] ?? 0)) / o.attempts;
      const stats = await server.stats();
      return {
        engine: o.engine,
        attempts: o.attempts,
        completed: done,
        failed,
        callsPerAttempt: Object.values(perPath).reduce((a, b) => a + b, 0),
        perPath,
        settleSeconds,
        peakRssMb: stats.peakRssMb,
      };
    } finally {
      await server.close();
      await emulatorChild.close();
    }
  } finally {
    await db.drop();
  }
}

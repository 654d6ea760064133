/**
 * STK Push initiation through Malipo against its Daraja emulator (run in a process of its own, so
 * Malipo's memory is Malipo's), the rate toward Daraja raised:
 * pushes per second (each a distinct customer and booking, as a busy platform sees them), and the
 * mean time per push with 10,000 and with 1,000,000 attempts of history — every query a push makes
 * is served by an index, so the second must stay within 20 % of the first. On each engine (on
 * SQLite a full scan would stall every other request).
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { freePort } from "../../scripts/free-port.ts";
import { answerClock } from "../support/answer-clock.ts";
import { createBenchDb, type Engine } from "../support/bench-db.ts";
import { startChildServer } from "../support/child-server.ts";
import { type FreshCustomer, PUSH_FEE_KES, seedFreshCustomers, seedHistory } from "./seed.ts";

export interface PushRun {
  engine: Engine;
  history: number;
  pushesPerSecond: number;
  meanMs: number;
  p99Ms: number;
  accepted: number;
  errors: number;
  peakRssMb: number;
}

/** One push per customer (distinct bookings and phones) over `connections` connections. */
export async function pushAll(url: string, customers: FreshCustomer[], connections: number) {
  let next = 0;
  let accepted = 0;
  const clock = answerClock();
  const result = await autocannon({
    url,
    connections,
    amount: customers.length,
    method: "POST",
    requests: [
      {
        setupRequest: (request) => {
          const c = customers[next++ % customers.length] as FreshCustomer;
          request.path = "/api/v1/payments/mpesa/stkpush";
          request.headers = {
            "content-type": "application/json",
            authorization: `Bearer ${c.token}`,
            "idempotency-key": `bench-${c.bookingId}`,
          };
          request.body = JSON.stringify({
            phoneNumber: c.phone,
            bookingId: c.bookingId,
            amount: PUSH_FEE_KES,
            type: "booking_fee",
          });
          return request;
        },
        onResponse: (status) => {
          clock.answered();
          if (status === 201) accepted++;
        },
      },
    ],
  });
  const seconds = (clock.lastAnswerAt - clock.startedAt) / 1000;
  return { result, seconds, accepted, lastAnswerAt: clock.lastAnswerAt };
}

/** The emulator in a process of its own (`emulator-entry.ts`), so Malipo's memory is Malipo's alone. */
export function startEmulatorChild(timeScale = 1) {
  return startChildServer(new URL("./emulator-entry.ts", import.meta.url), {
    BENCH_TIME_SCALE: String(timeScale),
  });
}

/** One run on `engine`: `history` settled attempts, then `pushes` pushes over `connections` connections. */
export async function runPushes(
  engine: Engine,
  postgresUrl: string,
  history: number,
  pushes: number,
  connections = 20,
): Promise<PushRun> {
  const db = await createBenchDb(engine, postgresUrl);
  const jwtSecret = randomBytes(32).toString("hex");
  try {
    await seedHistory(db, history);
    const warmup = await seedFreshCustomers(db, 200, jwtSecret, "w");
    const customers = await seedFreshCustomers(db, pushes, jwtSecret, "a");
    const emulator = await startEmulatorChild();
    const server = await startChildServer(new URL("./server-entry.ts", import.meta.url), {
      BENCH_DATABASE_URL: db.url,
      BENCH_JWT_SECRET: jwtSecret,
      BENCH_PORT: String(await freePort()),
      BENCH_EMULATOR_URL: emulator.url,
    });
    try {
      await pushAll(server.url, warmup, connections);
      const { result, seconds, accepted } = await pushAll(server.url, customers, connections);
      const stats = await server.stats();
      return {
        engine,
        history,
        pushesPerSecond: accepted / seconds,
        meanMs: result.latency.average,
        p99Ms: result.latency.p99,
        accepted,
        errors: result.errors + result.timeouts + (pushes - accepted),
        peakRssMb: stats.peakRssMb,
      };
    } finally {
      await server.close();
      await emulator.close();
    }
  } finally {
    await db.drop();
  }
}

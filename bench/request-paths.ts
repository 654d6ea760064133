/**
 * Malipo's request paths against a bare Fastify baseline measured in the same run on the same
 * machine, reported as ratios (so the numbers mean the same on a fast or a slow machine).
 *
 *   health    GET /health                              vs a bare route returning the same JSON
 *   booking   GET /api/v1/bookings/:id (JWT + database) vs a bare route returning a booking-sized JSON
 *   callback  POST /api/v1/payments/mpesa/callback      vs a bare POST that answers {ResultCode:0}
 *             (a forged callback: stored with its verdict and refused, the hot path an attacker drives;
 *             each one is a durable SQLite write, so its ratio is far below the read paths)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Fastify from "fastify";
import { loadConfig } from "../src/config.ts";
import type { DarajaApi, DarajaPayoutsApi } from "../src/daraja/contract.ts";
import { createDatabase, migrateToLatest } from "../src/db/database.ts";
import { buildApp } from "../src/http/app.ts";
import { createLogger } from "../src/logger.ts";
import { createServices } from "../src/services.ts";

export interface PathRow {
  name: string;
  baseline: number;
  malipo: number;
  ratio: number;
  p99: number;
  errors: number;
  /** Malipo's throughput must be at least this fraction of the baseline's. */
  target: number;
}

const CONNECTIONS = 20;

const TARGETS: Array<{ name: string; minRatio: number }> = [
  { name: "health", minRatio: 0.35 },
  { name: "booking", minRatio: 0.08 },
  { name: "callback", minRatio: 0.04 },
];
/** Resident memory may grow at most this much over the whole run (leaks show as steady growth). */
export const MAX_RSS_GROWTH_MB = 150;

const nothingSent = (what: string) => async (): Promise<never> => {
  throw new Error(`the benchmark sends no ${what}`);
};
const daraja: DarajaApi & DarajaPayoutsApi = {
  stkPush: nothingSent("push"),
  stkQuery: nothingSent("query"),
  b2cPayment: nothingSent("payout"),
  reversal: nothingSent("reversal"),
  transactionStatus: nothingSent("status query"),
  accountBalance: nothingSent("balance query"),
};

export async function runRequestPaths(seconds: number): Promise<{ rows: PathRow[]; rssGrowthMb: number }> {
  async function measure(opts: {
    url: string;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
  }) {
    // A short warm-up so JIT and connection set-up are not measured.
    await autocannon({ ...opts, connections: CONNECTIONS, duration: 1 });
    const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: seconds });
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts };
  }

  const dir = mkdtempSync(join(tmpdir(), "malipo-bench-"));
  const config = loadConfig({
    LOG_LEVEL: "silent",
    DATABASE_URL: join(dir, "bench.sqlite"),
    RECONCILER_ENABLED: "false",
    PAYOUT_SUBMITTER_ENABLED: "false",
  });
  const logger = createLogger("silent");
  const db = createDatabase(config.databaseUrl);
  await migrateToLatest(db);
  // The forged callbacks come from one address: lift its limit so each one takes the stored path.
  const services = createServices({
    config,
    db,
    logger,
    clock: { now: () => new Date() },
    daraja,
    paymentTimings: { invalidCallbacksPerAddressPerMinute: 1_000_000_000 },
  });
  const app = await buildApp({
    config,
    logger,
    db,
    clock: { now: () => new Date() },
    services,
    rateLimits: {
      register: { max: 1_000_000, timeWindowMs: 60_000 },
    },
  });
  const malipo = await app.listen({ host: "127.0.0.1", port: 0 });

  const registered = await app.inject({
    method: "POST",
    url: "/api/v1/auth/register",
    payload: { name: "Bench", email: "bench@example.com", password: "bench-password-1" },
  });
  const token = (registered.json() as { data: { token: string } }).data.token;
  const created = await app.inject({
    method: "POST",
    url: "/api/v1/bookings",
    headers: { authorization: `Bearer ${token}` },
    payload: { service: "Plumbing", location: "Kilimani", description: "Leaking tap" },
  });
  const booking = (created.json() as { data: { booking: { id: string } } }).data.booking;
  const bookingJson = JSON.stringify(
    (
      await app.inject({
        method: "GET",
        url: `/api/v1/bookings/${booking.id}`,
        headers: { authorization: `Bearer ${token}` },
      })
    ).json(),
  );

  const bare = Fastify();
  bare.get("/health", async () => ({ status: "ok" }));
  bare.get("/booking", async (_req, reply) => reply.type("application/json").send(bookingJson));
  bare.post("/callback", async () => ({ ResultCode: 0, ResultDesc: "Accepted" }));
  const baseline = await bare.listen({ host: "127.0.0.1", port: 0 });

  const callbackBody = JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: "29115-34620561-1",
        CheckoutRequestID: "ws_CO_191220191020363925",
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        CallbackMetadata: {
          Item: [
            { Name: "Amount", Value: 500 },
            { Name: "MpesaReceiptNumber", Value: "NLJ7RT61SV" },
            { Name: "Balance" },
            { Name: "TransactionDate", Value: 20191219102115 },
            { Name: "PhoneNumber", Value: 254708374149 },
          ],
        },
      },
    },
  });
  const json = { "content-type": "application/json" };

  const rssBefore = process.memoryUsage().rss;
  const rows: Array<Omit<PathRow, "target">> = [];
  async function compare(
    name: string,
    base: Parameters<typeof measure>[0],
    ours: Parameters<typeof measure>[0],
  ) {
    const b = await measure(base);
    const m = await measure(ours);
    rows.push({ name, baseline: b.rps, malipo: m.rps, ratio: m.rps / b.rps, p99: m.p99, errors: m.errors });
  }

  await compare("health", { url: `${baseline}/health` }, { url: `${malipo}/health` });
  await compare(
    "booking",
    { url: `${baseline}/booking` },
    { url: `${malipo}/api/v1/bookings/${booking.id}`, headers: { authorization: `Bearer ${token}` } },
  );
  await compare(
    "callback",
    { url: `${baseline}/callback`, method: "POST", headers: json, body: callbackBody },
    {
      url: `${malipo}/api/v1/payments/mpesa/callback?tx=pay_x&sig=forged`,
      method: "POST",
      headers: json,
      body: callbackBody,
    },
  );
  const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;

  await app.close();
  await bare.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });

  return {
    rows: rows.map((r) => ({ ...r, target: TARGETS.find((t) => t.name === r.name)?.minRatio ?? 0 })),
    rssGrowthMb,
  };
}

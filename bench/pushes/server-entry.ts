/**
 * Malipo for the push benchmark, in its own process, compiled as production runs it, with its
 * embedded Daraja emulator (MPESA_ENV=emulator) and the rate toward Daraja raised.
 * Env: BENCH_DATABASE_URL, BENCH_JWT_SECRET, BENCH_PORT; BENCH_RECONCILER (`true`: the reconciler
 * runs, every 500 ms), BENCH_VERIFY (MPESA_VERIFY_CALLBACKS), BENCH_CALLBACK_SECRET (to sign
 * callbacks the benchmark sends itself).
 */
import "../../scripts/require-node.mjs";
import { serveInChild } from "../support/child-server.ts";

const env = process.env as Record<string, string>;
const load = <T>(path: string): Promise<T> => import(new URL(`../../dist/${path}.js`, import.meta.url).href);
const [{ loadConfig }, { createLogger }, { startMalipo }] = await Promise.all([
  load<typeof import("../../src/config.ts")>("config"),
  load<typeof import("../../src/logger.ts")>("logger"),
  load<typeof import("../../src/server.ts")>("server"),
]);
const config = loadConfig({
  MPESA_ENVIRONMENT: "emulator",
  LOG_LEVEL: "silent",
  PORT: env.BENCH_PORT as string,
  // No emulator in this process: the benchmark's own (emulator-entry.ts) answers.
  MPESA_EMULATOR_EMBEDDED: "false",
  MPESA_BASE_URL: env.BENCH_EMULATOR_URL as string,
  DATABASE_URL: env.BENCH_DATABASE_URL as string,
  JWT_SECRET: env.BENCH_JWT_SECRET as string,
  MPESA_RATE_LIMIT_PER_SECOND: "2000",
  MPESA_RATE_LIMIT_BURST: "200",
  RECONCILER_ENABLED: env.BENCH_RECONCILER === "true" ? "true" : "false",
  RECONCILER_INTERVAL_MS: "500",
  MPESA_VERIFY_CALLBACKS: env.BENCH_VERIFY === "true" ? "true" : "false",
  PAYOUT_SUBMITTER_ENABLED: "false",
  WEBHOOKS_DELIVERY_ENABLED: "false",
  ...(env.BENCH_CALLBACK_SECRET ? { CALLBACK_SECRET: env.BENCH_CALLBACK_SECRET } : {}),
});
const malipo = await startMalipo({ config, logger: createLogger("silent") });
serveInChild(malipo.url, () => malipo.close());

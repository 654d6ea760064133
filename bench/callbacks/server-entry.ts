/**
 * One server of the callback benchmark in its own process (forked by ingestion.ts): the bare
 * baseline or Malipo, on the database the parent seeded. Malipo runs on a counting database handle
 * so the parent can report statements, prepares and transactions per callback.
 *
 * Env: BENCH_ROLE (baseline | malipo), BENCH_ENGINE (sqlite | postgres), BENCH_DATABASE_URL,
 * BENCH_SCHEMA (PostgreSQL), BENCH_SECRET (callback signing secret), BENCH_MALIPO_CODE (`dist`:
 * Malipo as production runs it, compiled by `npm run build`; `src`: from the sources, types
 * stripped by Node as it loads them, which costs some 35 MB of memory more).
 */
import "../../scripts/require-node.mjs";
import pg from "pg";
import type { DarajaApi, DarajaPayoutsApi } from "../../src/daraja/contract.ts";
import { serveInChild } from "../support/child-server.ts";
import { postgresBaseline, sqliteBaseline } from "./baseline-servers.ts";
import { countingPostgres, countingSqlite, newCounter } from "./counting-db.ts";

const env = process.env as Record<string, string>;
const engine = env.BENCH_ENGINE as "sqlite" | "postgres";
const databaseUrl = env.BENCH_DATABASE_URL as string;
const schema = env.BENCH_SCHEMA ?? "public";
const secret = env.BENCH_SECRET as string;

const nothingSent = (why: string) => async (): Promise<never> => {
  throw new Error(why);
};
const noDaraja: DarajaApi & DarajaPayoutsApi = {
  stkPush: nothingSent("the benchmark sends no push"),
  stkQuery: nothingSent("verification is off in this benchmark"),
  b2cPayment: nothingSent("the benchmark sends no payout"),
  reversal: nothingSent("the benchmark sends no reversal"),
  transactionStatus: nothingSent("the benchmark asks no status"),
  accountBalance: nothingSent("the benchmark asks no balance"),
};

if (env.BENCH_ROLE === "baseline") {
  if (engine === "sqlite") {
    const server = await sqliteBaseline(databaseUrl, secret);
    serveInChild(server.url, server.close);
  } else {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, options: `-c search_path=${schema}` });
    const server = await postgresBaseline(pool, secret);
    serveInChild(server.url, async () => {
      await server.close();
      await pool.end();
    });
  }
} else {
  const code =
    env.BENCH_MALIPO_CODE === "src" ? { dir: "../../src/", ext: ".ts" } : { dir: "../../dist/", ext: ".js" };
  const load = <T>(path: string): Promise<T> =>
    import(new URL(`${code.dir}${path}${code.ext}`, import.meta.url).href);
  const [{ loadConfig }, { buildApp }, { createLogger }, { createServices }, database] = await Promise.all([
    load<typeof import("../../src/config.ts")>("config"),
    load<typeof import("../../src/http/app.ts")>("http/app"),
    load<typeof import("../../src/logger.ts")>("logger"),
    load<typeof import("../../src/services.ts")>("services"),
    load<typeof import("../../src/db/database.ts")>("db/database"),
  ]);
  const counter = newCounter();
  const db =
    engine === "sqlite"
      ? countingSqlite(database, databaseUrl, counter)
      : countingPostgres(database, databaseUrl, schema, counter);
  const config = loadConfig({
    LOG_LEVEL: "silent",
    DATABASE_URL: databaseUrl,
    RECONCILER_ENABLED: "false",
    PAYOUT_SUBMITTER_ENABLED: "false",
    MPESA_VERIFY_CALLBACKS: "false",
    CALLBACK_SECRET: secret,
  });
  const logger = createLogger("silent");
  const clock = { now: () => new Date() };
  const services = createServices({ config, db, logger, clock, daraja: noDaraja });
  const app = await buildApp({ config, logger, db, clock, services });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  counter.reset();
  serveInChild(
    url,
    async () => {
      await app.close();
      await services.payments.stop();
      await db.destroy();
    },
    () => ({
      statements: counter.statements,
      prepares: counter.prepares,
      transactions: counter.transactions,
    }),
    () => counter.reset(),
  );
}

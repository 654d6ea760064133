/**
 * The composition root: config → database (migrated) → Daraja emulator (in emulator mode) → the
 * initiator's SecurityCredential (the emulator's certificate in emulator mode) → Daraja client →
 * services → HTTP app → reconciler and payout submitter. `startMalipo` returns the running pieces and a `close`
 * that finishes in-flight work before letting go of the database; `main.ts` adds signals and output.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { type Clock, systemClock } from "./clock.ts";
import type { Config } from "./config.ts";
import { createDarajaClient } from "./daraja/client.ts";
import { createDatabase, type Db, migrateToLatest } from "./db/database.ts";
import type { Emulator } from "./emulator/index.ts";
import { buildApp } from "./http/app.ts";
import { initiatorFromConfig } from "./initiator.ts";
import type { Logger } from "./logger.ts";
import { createServices, type Services } from "./services.ts";

export interface RunningMalipo {
  config: Readonly<Config>;
  app: FastifyInstance;
  db: Db;
  services: Services;
  emulator: Emulator | null;
  /** Where the API and the web app answer. */
  url: string;
  /** The emulator's base URL, in emulator mode. */
  emulatorUrl: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  /** Built web app; default web/dist next to the sources. */
  webRoot?: string;
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../web/dist", import.meta.url));

export async function startMalipo(options: StartOptions): Promise<RunningMalipo> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const closers: Array<() => Promise<void>> = [];
  // Last started, first stopped; a second call waits for the first instead of closing twice.
  let closing: Promise<void> | null = null;
  const closeAll = () => {
    closing ??= (async () => {
      for (const close of [...closers].reverse()) {
        try {
          await close();
        } catch (error) {
          logger.error({ err: error }, "error while shutting down");
        }
      }
    })();
    return closing;
  };

  try {
    const db = createDatabase(config.databaseUrl);
    closers.push(() => db.destroy());
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");

    let emulator: Emulator | null = null;
    let emulatorUrl: string | null = null;
    if (config.mpesa.environment === "emulator" && config.emulator.embedded) {
      // Loaded only when it runs here: a live Malipo (or one talking to a separately run emulator)
      // holds none of its code.
      const { createEmulator, emulatorOptionsFrom } = await import("./emulator/index.ts");
      emulator = await createEmulator({
        ...emulatorOptionsFrom(config, logger),
        merchants: [
          { shortcode: config.mpesa.shortcode, passkey: config.mpesa.passkey.reveal(), name: "MALIPO" },
        ],
      });
      emulatorUrl = await emulator.listen(
        config.emulator.port,
        config.host === "0.0.0.0" ? "0.0.0.0" : "127.0.0.1",
      );
      closers.push(() => (emulator as Emulator).close());
    }

    // The embedded emulator may have been given port 0: follow it to the port it really took.
    const embeddedDefault = `http://127.0.0.1:${config.emulator.port}`;
    const darajaBaseUrl =
      emulatorUrl && config.mpesa.baseUrl === embeddedDefault ? emulatorUrl : config.mpesa.baseUrl;
    // The embedded emulator's certificate, or a separately run one's (fetched when first needed).
    const talksToEmbedded = emulator !== null && darajaBaseUrl === emulatorUrl;
    // A separately run emulator (MPESA_EMULATOR_EMBEDDED=false) is the one the pages link to.
    if (config.mpesa.environment === "emulator" && emulator === null) emulatorUrl = darajaBaseUrl;
    const initiator = await initiatorFromConfig(config.mpesa.initiator, {
      embeddedPem: talksToEmbedded ? (emulator as Emulator).certificatePem : null,
      emulatorBaseUrl: config.mpesa.environment === "emulator" ? darajaBaseUrl : null,
    });
    const daraja = createDarajaClient({
      baseUrl: darajaBaseUrl,
      consumerKey: config.mpesa.consumerKey,
      consumerSecret: config.mpesa.consumerSecret.reveal(),
      shortcode: config.mpesa.shortcode,
      passkey: config.mpesa.passkey.reveal(),
      transactionType: config.mpesa.transactionType,
      partyB: config.mpesa.partyB,
      timeoutMs: config.mpesa.timeoutMs,
      rateLimit: config.mpesa.rateLimit,
      clock,
      logger,
      initiator,
    });

    const services = createServices({ config, db, logger, clock, daraja });
    // LISTEN for other processes' payment events (PostgreSQL) and start the reconciler loop; stopped
    // after the HTTP server has drained and before the database closes.
    await services.payments.start();
    closers.push(() => services.payments.stop());
    // Sends payouts and refunds; stopped after the HTTP server drained (no notice is then taken),
    // waiting for notices still being processed.
    if (config.payouts.submitterEnabled) services.payoutSubmitter.start();
    closers.push(async () => {
      await services.payoutSubmitter.stop();
      await services.payoutResults.whenIdle();
    });
    await services.users.ensureAdminFromConfig();
    await services.ledgerCheck.start();
    closers.push(() => services.ledgerCheck.stop());
    // Webhook delivery (LISTEN on PostgreSQL, periodic sweep); stopped after the HTTP server drains.
    await services.webhooks.start();
    closers.push(() => services.webhooks.stop());
    // Asks the Account Balance API on its schedule (ACCOUNT_BALANCE_INTERVAL_MS; 0: only on demand).
    services.reconciliation.start();
    closers.push(() => services.reconciliation.stop());

    const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
    const app = await buildApp({
      config,
      logger,
      db,
      clock,
      services,
      ...(existsSync(webRoot) ? { webRoot } : {}),
      ...(emulatorUrl ? { emulatorUrl } : {}),
    });
    closers.push(() => app.close());
    const address = await app.listen({ port: config.port, host: config.host });
    const url = address.replace("[::1]", "127.0.0.1");

    return {
      config,
      app,
      db,
      services,
      emulator,
      url,
      emulatorUrl,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Runs `close` but stops waiting after `ms`: "timed out" when it has not finished by then (it keeps
 * running; the caller decides to exit), "closed" when it finished. A hung close() (a request waiting
 * on a Daraja that never answers, a database that does not reply) must not keep a process alive.
 */
export async function closeWithin(close: () => Promise<void>, ms: number): Promise<"closed" | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  try {
    return await Promise.race([close().then(() => "closed" as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `npm run emulator`: the Daraja emulator alone. Settings come from the environment through
 * loadConfig (MPESA_EMULATOR_PORT, EMULATOR_CONSUMER_KEY/SECRET, EMULATOR_TIME_SCALE,
 * EMULATOR_STRICT_TIMESTAMP, EMULATOR_TOKEN_TTL_SECONDS, EMULATOR_MAX_RECORDS, HOST, LOG_LEVEL).
 */
import "../../scripts/require-node.mjs"; // first: an older Node is told what it needs
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import {
  createEmulator,
  type Emulator,
  emulatorOptionsFrom,
  PAYOUT_TEST_NUMBERS,
  TEST_NUMBERS,
} from "./index.ts";

function banner(emulator: Emulator, baseUrl: string): string {
  const s = emulator.settings;
  const merchants = [...s.merchants.values()].map((m) => `  shortcode ${m.shortcode}  passkey ${m.passkey}`);
  const width = Math.max(...TEST_NUMBERS.map((t) => t.msisdn.length));
  const numbers = TEST_NUMBERS.map((t) => `  ${t.msisdn.padEnd(width)}  ${t.description}`);
  const payoutNumbers = PAYOUT_TEST_NUMBERS.map((t) => `  ${t.msisdn.padEnd(width)}  ${t.description}`);
  const initiators = [...s.initiators.values()].map((i) => `  initiator ${i.name}  password ${i.password}`);
  return [
    "",
    `Daraja emulator listening on ${baseUrl}`,
    "",
    `  OAuth       GET  ${baseUrl}/oauth/v1/generate?grant_type=client_credentials`,
    `  STK Push    POST ${baseUrl}/mpesa/stkpush/v1/processrequest`,
    `  STK Query   POST ${baseUrl}/mpesa/stkpushquery/v1/query`,
    `  B2C         POST ${baseUrl}/mpesa/b2c/v3/paymentrequest  (and /v1/)`,
    `  Reversal    POST ${baseUrl}/mpesa/reversal/v1/request`,
    `  Status      POST ${baseUrl}/mpesa/transactionstatus/v1/query`,
    `  Balance     POST ${baseUrl}/mpesa/accountbalance/v1/query`,
    "",
    `  consumer key     ${s.consumerKey}`,
    `  consumer secret  ${s.consumerSecret}`,
    ...merchants,
    ...initiators,
    `  SecurityCredential: the password encrypted with ${baseUrl}/__emulator/certificate (RSA PKCS#1 v1.5, base64)`,
    `  time scale ${s.timeScale}; prompt timeout ${Math.round(s.promptTimeoutMs * s.timeScale)} ms; strict timestamp ${s.strictTimestamp}`,
    "",
    "Test numbers (the number that receives the prompt decides what happens):",
    ...numbers,
    `  ${"any other".padEnd(width)}  waits for you on ${baseUrl}/__emulator/phone/<number>`,
    "",
    "Payout test numbers (B2C to the number, or a reversal of its payment):",
    ...payoutNumbers,
    `  ${"any other".padEnd(width)}  paid within a few seconds`,
    "",
    `Home page ${baseUrl}/__emulator · control API ${baseUrl}/__emulator/openapi.json`,
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const emulator = await createEmulator(emulatorOptionsFrom(config, logger));
  const baseUrl = await emulator.listen(config.emulator.port, config.host);
  process.stdout.write(`${banner(emulator, baseUrl)}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping the Daraja emulator");
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "the Daraja emulator did not close cleanly");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  if (!(error instanceof ConfigError) && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

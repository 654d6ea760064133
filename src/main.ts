/** `npm start`: runs Malipo in one process and prints where everything is. */
import "../scripts/require-node.mjs"; // first: an older Node is told what it needs
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { closeWithin, startMalipo } from "./server.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.logLevel);
const malipo = await startMalipo({ config, logger }).catch((error: Error) => {
  logger.fatal({ err: error }, "Malipo could not start");
  console.error(`Malipo could not start: ${error.message}`);
  process.exit(1);
});

const lines = [
  "",
  `Malipo is running (M-Pesa: ${config.mpesa.environment})`,
  `  Web app           ${malipo.url}/`,
  `  API               ${malipo.url}/api/v1`,
  `  API docs          ${malipo.url}/docs`,
  `  Metrics           ${malipo.url}/metrics`,
];
if (malipo.emulatorUrl) {
  lines.push(
    `  Daraja emulator   ${malipo.emulatorUrl}  (index: ${malipo.emulatorUrl}/__emulator)`,
    `  Simulated phone   ${malipo.emulatorUrl}/__emulator/phone/<number>`,
    "  Test numbers      0708374149 pays, 0700001032 cancels, 0711111111 has too little money;",
    "                    any other number waits for you on the simulated phone",
  );
}
lines.push(`  Database          ${config.databaseUrl.replace(/\/\/[^@/]*@/, "//***@")}`, "");
console.log(lines.join("\n"));

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight work");
    const timeoutMs = config.shutdownTimeoutMs;
    closeWithin(() => malipo.close(), timeoutMs)
      .then((outcome) => {
        if (outcome === "closed") process.exit(0);
        logger.error({ timeoutMs }, "shutdown did not finish in time; exiting");
        console.error(`Malipo did not shut down within ${timeoutMs} ms; exiting (SHUTDOWN_TIMEOUT_MS)`);
        process.exit(1);
      })
      .catch(() => process.exit(1));
  });
}

/**
 * The emulator's options as Malipo's configuration reads them (the EMULATOR_* variables), for
 * every place that starts one: `npm run emulator`, the emulator embedded in `npm start`, and the
 * benchmarks' own.
 */
import type { Config } from "../config.ts";
import type { EmulatorOptions } from "./options.ts";

export function emulatorOptionsFrom(
  config: Pick<Config, "emulator">,
  logger: EmulatorOptions["logger"],
): EmulatorOptions {
  const e = config.emulator;
  return {
    consumerKey: e.consumerKey,
    consumerSecret: e.consumerSecret.reveal(),
    timeScale: e.timeScale,
    strictTimestamp: e.strictTimestamp,
    tokenTtlSeconds: e.tokenTtlSeconds,
    ...(e.maxRecords === null ? {} : { maxRecords: e.maxRecords }),
    logger,
  };
}

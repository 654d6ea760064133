/**
 * The Daraja emulator for the push and settling benchmarks, in a process of its own (as
 * `npm run emulator` runs it), so the resident memory reported for Malipo is Malipo's alone: the
 * emulator keeps every session, conversation and request of a run, which a Malipo talking to
 * Safaricom does not hold. Env: BENCH_TIME_SCALE (the emulator's, default 1).
 */
import "../../scripts/require-node.mjs";
import { serveInChild } from "../support/child-server.ts";

const env = process.env as Record<string, string>;
const load = <T>(path: string): Promise<T> => import(new URL(`../../dist/${path}.js`, import.meta.url).href);
const [{ loadConfig }, { createLogger }, { createEmulator, emulatorOptionsFrom }] = await Promise.all([
  load<typeof import("../../src/config.ts")>("config"),
  load<typeof import("../../src/logger.ts")>("logger"),
  load<typeof import("../../src/emulator/index.ts")>("emulator/index"),
]);
const config = loadConfig({
  LOG_LEVEL: "silent",
  EMULATOR_TIME_SCALE: env.BENCH_TIME_SCALE ?? "1",
  // Every session of a run (10,000 for the reconciler), not the last 2,000.
  EMULATOR_MAX_RECORDS: "100000",
});
const emulator = await createEmulator(emulatorOptionsFrom(config, createLogger("silent")));
const url = await emulator.listen(0, "127.0.0.1");
serveInChild(url, () => emulator.close());

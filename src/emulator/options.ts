/**
 * Settings of one emulator instance. Every delay is written in "real Daraja" milliseconds and is
 * multiplied by `timeScale` when scheduled, so tests can compress a 60 s prompt to 0.6 s.
 */
import { randomInt } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { systemClock } from "../clock.ts";
import { EMULATOR_DEFAULT_CONSUMER_KEY, EMULATOR_DEFAULT_CONSUMER_SECRET } from "../config.ts";
import { SANDBOX_PASSKEY, SANDBOX_SHORTCODE } from "../daraja/password.ts";
import type { OpeningBalances } from "./accounts.ts";
import type { CredentialKeys } from "./certificate.ts";
import { DEFAULT_INITIATOR, type Initiator } from "./credentials.ts";
import { DEFAULT_MAX_SESSIONS } from "./sessions.ts";

/** A shortcode the emulator knows, with the passkey its STK Password must be built from. */
export interface Merchant {
  shortcode: string;
  passkey: string;
  /** Shown on the simulated phone ("Pay KES 500 to MALIPO"). */
  name?: string;
}

/** How STK Query answers while the customer has not answered yet. */
export type QueryProcessingStyle = "4999" | "500";

export interface EmulatorOptions {
  /** OAuth credentials the emulator accepts (Basic auth on /oauth/v1/generate). */
  consumerKey?: string;
  consumerSecret?: string;
  /** Default: the sandbox paybill 174379 with Safaricom's public sandbox passkey. */
  merchants?: readonly Merchant[];
  /** Multiplies every emulator delay; 0.01 turns the 60 s prompt timeout into 0.6 s. Default 1. */
  timeScale?: number;
  /** Demand an East Africa Time Timestamp within a few minutes of now (Daraja does not). */
  strictTimestamp?: boolean;
  /** How long a prompt waits for the customer before it ends as 1037. Default 60 000. */
  promptTimeoutMs?: number;
  /** Time from the customer's answer to the callback POST. Default 1 000. */
  callbackDelayMs?: number;
  /** Time the automatic test numbers take to "type their PIN". Default 3 000. */
  answerDelayMs?: number;
  /**
   * How long a push whose response is lost (254700009006, `pushResponseDropped`) keeps the
   * connection open without a byte before closing it. Default 30 000: longer than the usual client
   * timeouts (5–15 s), so clients see a timeout, as with a response lost on the way.
   */
  responseLostHoldMs?: number;
  /** Lifetime of issued access tokens; `expires_in` echoes it as a string. Default 3599. */
  tokenTtlSeconds?: number;
  /** STK sessions kept; past it the oldest ended ones are forgotten. Default 2 000 (benchmarks raise it). */
  maxSessions?: number;
  /**
   * Sessions, conversations, M-Pesa transactions, callback and result deliveries each kept, when set
   * (past it the oldest ended ones are forgotten). Default: 2 000 sessions (`maxSessions`), 2 000
   * conversations, 5 000 transactions, 2 000 deliveries of each. Long runs that check the
   * emulator's whole record at the end raise it.
   */
  maxRecords?: number;
  /** Default "4999" (HTTP 200, current Daraja); "500" gives the older 500.001.1001 answer. */
  queryProcessingStyle?: QueryProcessingStyle;
  /** Longest AccountReference that can be shown; longer ones fail in the callback with 1025. Default 12. */
  maxAccountReferenceLength?: number;
  /**
   * API operators (B2C, reversal, status, balance) and their passwords; their SecurityCredential is
   * the password encrypted with the emulator's certificate. Default: `testapi` / `Safaricom999!*!`.
   */
  initiators?: readonly Initiator[];
  /** The key pair SecurityCredentials are decrypted with. Default: one generated per process. */
  credentialKeys?: CredentialKeys;
  /** From a B2C, reversal or query to its result. Default 2 000. */
  resultDelayMs?: number;
  /** From a request to its queue-timeout notice (payout test numbers 254700008006/7). Default 10 000. */
  queueTimeoutMs?: number;
  /** Each organisation's accounts when first used. Default: Utility KES 100,000, Working 0. */
  openingBalances?: Partial<OpeningBalances>;
  /** Seeds identifiers, receipts and faults so runs are reproducible. Default: random. */
  seed?: number | string;
  logger?: Logger;
  /** Used to POST callbacks. Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  /** Alternative to `clock`. */
  now?: () => Date;
}

export const SANDBOX_MERCHANT: Merchant = {
  shortcode: SANDBOX_SHORTCODE,
  passkey: SANDBOX_PASSKEY,
  name: "MALIPO",
};

export interface EmulatorSettings {
  consumerKey: string;
  consumerSecret: string;
  merchants: ReadonlyMap<string, Required<Merchant>>;
  timeScale: number;
  strictTimestamp: boolean;
  promptTimeoutMs: number;
  callbackDelayMs: number;
  answerDelayMs: number;
  responseLostHoldMs: number;
  tokenTtlSeconds: number;
  maxSessions: number;
  maxRecords: number | null;
  queryProcessingStyle: QueryProcessingStyle;
  maxAccountReferenceLength: number;
  initiators: ReadonlyMap<string, Initiator>;
  credentialKeys: CredentialKeys | null;
  resultDelayMs: number;
  queueTimeoutMs: number;
  openingBalances: OpeningBalances;
  seed: string;
  fetch: typeof globalThis.fetch;
  clock: Clock;
}

function wholeAtLeastOne(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a whole number ≥ 1 (got ${value})`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a number ≥ 0 (got ${value})`);
  return value;
}

export function resolveSettings(options: EmulatorOptions = {}): EmulatorSettings {
  const merchants = new Map<string, Required<Merchant>>();
  for (const m of options.merchants ?? [SANDBOX_MERCHANT]) {
    if (!/^\d{5,7}$/.test(m.shortcode))
      throw new RangeError(`merchant shortcode must be 5–7 digits: ${m.shortcode}`);
    merchants.set(m.shortcode, { shortcode: m.shortcode, passkey: m.passkey, name: m.name ?? "MALIPO" });
  }
  const now = options.now;
  const clock = options.clock ?? (now ? { now } : systemClock);
  const ttl = options.tokenTtlSeconds ?? 3599;
  if (!Number.isInteger(ttl) || ttl < 1) throw new RangeError("tokenTtlSeconds must be a whole number ≥ 1");
  return {
    consumerKey: options.consumerKey ?? EMULATOR_DEFAULT_CONSUMER_KEY,
    consumerSecret: options.consumerSecret ?? EMULATOR_DEFAULT_CONSUMER_SECRET,
    merchants,
    timeScale: nonNegative("timeScale", options.timeScale ?? 1),
    strictTimestamp: options.strictTimestamp ?? false,
    promptTimeoutMs: nonNegative("promptTimeoutMs", options.promptTimeoutMs ?? 60_000),
    callbackDelayMs: nonNegative("callbackDelayMs", options.callbackDelayMs ?? 1_000),
    answerDelayMs: nonNegative("answerDelayMs", options.answerDelayMs ?? 3_000),
    responseLostHoldMs: nonNegative("responseLostHoldMs", options.responseLostHoldMs ?? 30_000),
    tokenTtlSeconds: ttl,
    maxSessions: wholeAtLeastOne(
      "maxSessions",
      options.maxRecords ?? options.maxSessions ?? DEFAULT_MAX_SESSIONS,
    ),
    maxRecords: options.maxRecords === undefined ? null : wholeAtLeastOne("maxRecords", options.maxRecords),
    queryProcessingStyle: options.queryProcessingStyle ?? "4999",
    maxAccountReferenceLength: options.maxAccountReferenceLength ?? 12,
    initiators: new Map((options.initiators ?? [DEFAULT_INITIATOR]).map((i) => [i.name, { ...i }])),
    credentialKeys: options.credentialKeys ?? null,
    resultDelayMs: nonNegative("resultDelayMs", options.resultDelayMs ?? 2_000),
    queueTimeoutMs: nonNegative("queueTimeoutMs", options.queueTimeoutMs ?? 10_000),
    openingBalances: {
      utilityKes: nonNegative("openingBalances.utilityKes", options.openingBalances?.utilityKes ?? 100_000),
      workingKes: nonNegative("openingBalances.workingKes", options.openingBalances?.workingKes ?? 0),
    },
    seed: String(options.seed ?? randomInt(1, 2 ** 31)),
    fetch: options.fetch ?? globalThis.fetch,
    clock,
  };
}

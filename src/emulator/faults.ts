/**
 * Seeded fault injection. Each fault has a rate in [0, 1]; decisions come from a generator seeded
 * by the fault configuration, so the same seed and the same traffic give the same faults.
 */
import { createRandom, type Random } from "./random.ts";

export type FaultKind =
  /** Push answered 500.003.1001 "Internal Server Error"; no session. */
  | "pushError"
  /** Query of a known id answered 500.001.1001 "The transaction does not Exist" (seen ~1 in 5 polls). */
  | "queryError"
  /** Query of an ended session answered 4999 "still under processing", as if it had not ended yet. */
  | "queryProcessing"
  /** Any Daraja call but OAuth refused with 500.003.02 spike arrest. */
  | "spikeArrest"
  /** Session created, then the connection is destroyed before the response. */
  | "pushResponseDropped"
  /** The callback is never sent. */
  | "callbackLost"
  /** The callback is sent twice. */
  | "callbackDuplicate"
  /** The callback waits `delayedCallbackMs` longer. */
  | "callbackDelayed"
  /** The callback is held back until the next callback has been sent. */
  | "callbackReordered"
  /** B2C, reversal, status or balance request answered 500.002.1001 "System internal error."; nothing happens. */
  | "asyncError"
  /** B2C, reversal, status or balance request accepted and carried out, but its answer is lost. */
  | "asyncResponseDropped"
  /** The result to ResultURL is never sent. */
  | "resultLost"
  /** The result is sent twice. */
  | "resultDuplicate"
  /** The result waits `delayedCallbackMs` longer. */
  | "resultDelayed"
  /** The result is held back until the next result has been sent. */
  | "resultReordered"
  /** A B2C, reversal or status request is carried out, but a queue-timeout notice replaces its result. */
  | "queueTimeout";

export const FAULT_KINDS: readonly FaultKind[] = [
  "pushError",
  "queryError",
  "queryProcessing",
  "spikeArrest",
  "pushResponseDropped",
  "callbackLost",
  "callbackDuplicate",
  "callbackDelayed",
  "callbackReordered",
  "asyncError",
  "asyncResponseDropped",
  "resultLost",
  "resultDuplicate",
  "resultDelayed",
  "resultReordered",
  "queueTimeout",
];

export type FaultRates = { [K in FaultKind]: number };

export interface FaultConfig {
  seed: string;
  rates: FaultRates;
  /** Extra delay of a delayed callback or result, in real-Daraja ms (scaled). Default 30 000. */
  delayedCallbackMs: number;
}

export interface FaultConfigInput {
  seed?: string | number;
  rates?: Partial<FaultRates>;
  delayedCallbackMs?: number;
}

const noRates = (): FaultRates => ({
  pushError: 0,
  queryError: 0,
  queryProcessing: 0,
  spikeArrest: 0,
  pushResponseDropped: 0,
  callbackLost: 0,
  callbackDuplicate: 0,
  callbackDelayed: 0,
  callbackReordered: 0,
  asyncError: 0,
  asyncResponseDropped: 0,
  resultLost: 0,
  resultDuplicate: 0,
  resultDelayed: 0,
  resultReordered: 0,
  queueTimeout: 0,
});

export class FaultInjector {
  #config: FaultConfig;
  #random: Random;
  #injected: FaultRates = noRates();

  private readonly defaultSeed: string;

  constructor(defaultSeed: string) {
    this.defaultSeed = defaultSeed;
    this.#config = { seed: defaultSeed, rates: noRates(), delayedCallbackMs: 30_000 };
    this.#random = createRandom(defaultSeed, "faults");
  }

  /** Replaces the configuration and restarts the generator from its seed. */
  configure(input: FaultConfigInput): FaultConfig {
    const rates = noRates();
    for (const kind of FAULT_KINDS) {
      const rate = input.rates?.[kind] ?? 0;
      if (!Number.isFinite(rate) || rate < 0 || rate > 1)
        throw new RangeError(`${kind} rate must be within 0–1`);
      rates[kind] = rate;
    }
    const delayedCallbackMs = input.delayedCallbackMs ?? 30_000;
    if (!Number.isFinite(delayedCallbackMs) || delayedCallbackMs < 0)
      throw new RangeError("delayedCallbackMs must be ≥ 0");
    const seed = String(input.seed ?? this.defaultSeed);
    this.#config = { seed, rates, delayedCallbackMs };
    this.#random = createRandom(seed, "faults");
    this.#injected = noRates();
    return this.config;
  }

  clear(): void {
    this.configure({});
  }

  get config(): FaultConfig {
    return { ...this.#config, rates: { ...this.#config.rates } };
  }

  /** How many times each fault fired since the last configuration. */
  get injected(): FaultRates {
    return { ...this.#injected };
  }

  /** Draws one decision; a fault with rate 0 draws nothing, so it never shifts the others. */
  roll(kind: FaultKind): boolean {
    const rate = this.#config.rates[kind];
    if (rate <= 0) return false;
    const hit = this.#random.next() < rate;
    if (hit) this.#injected[kind] += 1;
    return hit;
  }
}

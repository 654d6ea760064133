/**
 * Everything a chaos run decides up front, from its seed alone (PURE): who signs up, which phones
 * they pay from, what each payment does at "Daraja" and what happens to its booking afterwards, the
 * faults on every Daraja API, what payouts and reversals to each number do, when the webhook
 * receiver fails and how long the processes stay up between kills. The same seed and size give the
 * same plan; timing on a busy machine is what varies between two runs.
 */
import type { FaultRates, Outcome, PayoutOutcome } from "../../src/emulator/index.ts";
import { createRandom, type Random } from "../../src/emulator/random.ts";

/** What the customer does with a booking once its payment has an answer. */
export type AfterPayment =
  /** A technician accepts and completes it: the fee is released and a payout sent by B2C. */
  | "complete"
  /** The customer cancels it before anyone is assigned: a held fee is refunded by Reversal. */
  | "customer_cancel"
  /** A technician accepts, then an admin cancels it: a refund. */
  | "admin_cancel"
  /** The customer cancels while the prompt is still open: money that comes anyway is owed back. */
  | "cancel_in_flight"
  /** Left as it is (a held fee stays in escrow). */
  | "keep";

export interface PlannedPayment {
  /** 0-based, in the order customers make them. */
  index: number;
  customer: number;
  phone: string;
  outcome: Outcome;
  after: AfterPayment;
  technician: number;
}

export interface PlannedCustomer {
  index: number;
  phones: string[];
  /** What reversals of this customer's payments do (the emulator keys them by the payer). */
  refundOutcome: PayoutOutcome;
}

export interface PlannedTechnician {
  index: number;
  phone: string;
  payoutOutcome: PayoutOutcome;
}

/** A window of the receiver's life, from `atMs` after the start of traffic. */
export interface ReceiverWindow {
  atMs: number;
  mode: "up" | "error" | "timeout";
}

export interface ChaosPlan {
  seed: string;
  customers: PlannedCustomer[];
  technicians: PlannedTechnician[];
  payments: PlannedPayment[];
  faults: { seed: string; rates: Partial<FaultRates>; delayedCallbackMs: number };
  receiver: ReceiverWindow[];
  /** Milliseconds the processes stay up before the next kill, and how long a killed one stays down. */
  kills: Array<{ afterMs: number; downMs: number; target: number }>;
}

/** Weighted choice: `[value, weight]` pairs. */
function pick<T>(random: Random, table: ReadonlyArray<readonly [T, number]>): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let roll = random.next() * total;
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return table[table.length - 1]![0];
}

/** What a payment does at Daraja: mostly paid, every other answer and misbehaviour too. */
const OUTCOME_MIX: ReadonlyArray<readonly [Outcome, number]> = [
  ["pay", 50],
  ["pay_at_once", 5],
  ["paid_no_callback", 6],
  ["duplicate_callback", 5],
  ["late_callback", 4],
  ["response_lost", 4],
  ["cancel", 7],
  ["insufficient_funds", 5],
  ["wrong_pin", 3],
  ["no_answer", 3],
  ["expired", 2],
  ["push_failed", 2],
  ["rule_limited", 1],
  ["lock_error", 1],
  ["spike_arrest", 1],
  ["gateway_unavailable", 1],
];

const AFTER_MIX: ReadonlyArray<readonly [AfterPayment, number]> = [
  ["complete", 45],
  ["customer_cancel", 20],
  ["admin_cancel", 10],
  ["cancel_in_flight", 5],
  ["keep", 20],
];

/** Lost and duplicated results, queue timeouts with and without the money moving; a few unregistered. */
const PAYOUT_MIX: ReadonlyArray<readonly [PayoutOutcome, number]> = [
  ["pay", 70],
  ["result_lost", 8],
  ["result_twice", 8],
  ["queue_timeout", 6],
  ["queue_timeout_unprocessed", 4],
  ["unregistered", 4],
];

/** Every fault the emulator has, at rates that leave most requests alone. */
export const FAULT_RATES: Readonly<Partial<FaultRates>> = {
  pushError: 0.03,
  spikeArrest: 0.02,
  pushResponseDropped: 0.03,
  queryError: 0.1,
  queryProcessing: 0.1,
  callbackLost: 0.06,
  callbackDuplicate: 0.05,
  callbackDelayed: 0.05,
  callbackReordered: 0.05,
  asyncError: 0.04,
  asyncResponseDropped: 0.04,
  resultLost: 0.05,
  resultDuplicate: 0.05,
  resultDelayed: 0.05,
  resultReordered: 0.05,
  queueTimeout: 0.04,
};

export interface PlanInput {
  seed: string;
  payments: number;
  /** How many Malipo processes there are to kill. */
  processes: number;
  /** At least this many kills are planned. */
  kills: number;
  /** The longest the traffic may last: kills and the receiver's outages are planned over it. */
  horizonMs: number;
}

// Numbers no emulator test number uses: customers 25472…, technicians 25473….
const customerPhone = (customer: number, k: number) => `25472${String(customer * 2 + k).padStart(7, "0")}`;
const technicianPhone = (t: number) => `25473${String(t).padStart(7, "0")}`;

export function makePlan(input: PlanInput): ChaosPlan {
  const random = createRandom(input.seed, "chaos-plan");
  const customerCount = Math.min(1_500, Math.max(6, Math.ceil(input.payments / 6)));
  const technicianCount = Math.min(200, Math.max(3, Math.ceil(customerCount / 6)));
  const customers: PlannedCustomer[] = Array.from({ length: customerCount }, (_, index) => ({
    index,
    phones: [customerPhone(index, 0), customerPhone(index, 1)],
    refundOutcome: pick(
      random,
      PAYOUT_MIX.filter(([o]) => o !== "unregistered"),
    ),
  }));
  const technicians: PlannedTechnician[] = Array.from({ length: technicianCount }, (_, index) => ({
    index,
    phone: technicianPhone(index),
    payoutOutcome: pick(random, PAYOUT_MIX),
  }));
  // A phone's first prompt is paid: Malipo limits prompts to a phone from accounts that never paid
  // from it, as a real number's owner would have paid before failing often.
  const paidFrom = new Set<string>();
  const payments: PlannedPayment[] = [];
  for (let index = 0; index < input.payments; index++) {
    const customer = index % customerCount;
    const phones = customers[customer]!.phones;
    // In turn: each phone stays within Malipo's prompts per phone per minute.
    const phone = phones[Math.floor(index / customerCount) % phones.length]!;
    const outcome = paidFrom.has(phone) ? pick(random, OUTCOME_MIX) : "pay";
    paidFrom.add(phone);
    payments.push({
      index,
      customer,
      phone,
      outcome,
      after: pick(random, AFTER_MIX),
      technician: random.int(technicianCount),
    });
  }
  return {
    seed: input.seed,
    customers,
    technicians,
    payments,
    faults: { seed: `${input.seed}-faults`, rates: { ...FAULT_RATES }, delayedCallbackMs: 30_000 },
    receiver: receiverWindows(random, input.horizonMs),
    kills: killSchedule(random, input),
  };
}

/** Up for 2–8 s, then down (500s or hanging past Malipo's timeout) for 0.5–3 s, over the run. */
function receiverWindows(random: Random, horizonMs: number): ReceiverWindow[] {
  const windows: ReceiverWindow[] = [];
  for (let at = 0; at < horizonMs; ) {
    windows.push({ atMs: at, mode: "up" });
    at += 2_000 + random.int(6_000);
    windows.push({ atMs: at, mode: random.next() < 0.5 ? "error" : "timeout" });
    at += 500 + random.int(2_500);
  }
  windows.push({ atMs: Math.max(horizonMs, windows.at(-1)?.atMs ?? 0) + 1, mode: "up" });
  return windows;
}

/**
 * A kill 5–15 s into the traffic, then one every 10–30 s over the horizon (at least `kills`), each
 * process in turn or its neighbour; the run stops killing once the traffic is over and the least
 * number has been reached.
 */
function killSchedule(random: Random, input: PlanInput): ChaosPlan["kills"] {
  const kills: ChaosPlan["kills"] = [];
  for (let at = 0, i = 0; i < input.kills || at < input.horizonMs; i++) {
    const afterMs = (i === 0 ? 5_000 : 10_000) + random.int(i === 0 ? 10_000 : 20_000);
    at += afterMs;
    kills.push({ afterMs, downMs: 200 + random.int(1_500), target: (i + random.int(2)) % input.processes });
  }
  return kills;
}

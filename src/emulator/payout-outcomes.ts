/**
 * What happens to a B2C payment — or to the reversal of a payment made from that number — chosen
 * by the customer's number. The payout test numbers sit in their own range, 2547000080xx; every
 * other valid number is paid within a few seconds (time-scaled), 254708374149 included.
 */

export type PayoutOutcome =
  | "pay"
  | "unregistered"
  | "insufficient_funds"
  | "result_lost"
  | "result_twice"
  | "queue_timeout"
  | "queue_timeout_unprocessed";

export const PAYOUT_OUTCOMES: readonly PayoutOutcome[] = [
  "pay",
  "unregistered",
  "insufficient_funds",
  "result_lost",
  "result_twice",
  "queue_timeout",
  "queue_timeout_unprocessed",
];

export interface PayoutTestNumber {
  msisdn: string;
  outcome: PayoutOutcome;
  description: string;
}

export const PAYOUT_TEST_NUMBERS: readonly PayoutTestNumber[] = [
  { msisdn: "254700008001", outcome: "pay", description: "paid: result 0 (as any other number)" },
  {
    msisdn: "254700008002",
    outcome: "unregistered",
    description: "B2C fails: 2040, not a registered M-Pesa customer (a reversal to it succeeds)",
  },
  {
    msisdn: "254700008003",
    outcome: "insufficient_funds",
    description: "fails: 1, the balance of the organisation's Utility Account is insufficient",
  },
  {
    msisdn: "254700008004",
    outcome: "result_lost",
    description: "paid, but the result is never sent (only Transaction Status knows)",
  },
  { msisdn: "254700008005", outcome: "result_twice", description: "paid; the result is sent twice" },
  {
    msisdn: "254700008006",
    outcome: "queue_timeout",
    description: "a notice goes to QueueTimeOutURL instead of the result, yet the payment is made",
  },
  {
    msisdn: "254700008007",
    outcome: "queue_timeout_unprocessed",
    description: "a notice goes to QueueTimeOutURL and nothing is paid (Transaction Status: 2032)",
  },
];

const BY_NUMBER = new Map(PAYOUT_TEST_NUMBERS.map((t) => [t.msisdn, t.outcome]));

export function builtInPayoutOutcomeFor(msisdn: string): PayoutOutcome {
  return BY_NUMBER.get(msisdn) ?? "pay";
}

export function isPayoutTestNumber(msisdn: string): boolean {
  return BY_NUMBER.has(msisdn);
}

export function isPayoutOutcome(value: unknown): value is PayoutOutcome {
  return typeof value === "string" && (PAYOUT_OUTCOMES as readonly string[]).includes(value);
}

/** How the result of a processed request travels. */
export type ResultDeliveryPlan = "once" | "never" | "twice" | "timeout_notice";

export interface PayoutPlan {
  /** The request is carried out (money moves) unless a rule says no. */
  processed: boolean;
  /** A forced result code instead of paying (2040, 1), or null. */
  forced: "unregistered" | "insufficient_funds" | null;
  delivery: ResultDeliveryPlan;
}

/** For a reversal, `unregistered` is moot: the customer paid from that number, so it is registered. */
export function payoutPlanFor(outcome: PayoutOutcome, api: "b2c" | "reversal"): PayoutPlan {
  switch (outcome) {
    case "pay":
      return { processed: true, forced: null, delivery: "once" };
    case "unregistered":
      return { processed: true, forced: api === "b2c" ? "unregistered" : null, delivery: "once" };
    case "insufficient_funds":
      return { processed: true, forced: "insufficient_funds", delivery: "once" };
    case "result_lost":
      return { processed: true, forced: null, delivery: "never" };
    case "result_twice":
      return { processed: true, forced: null, delivery: "twice" };
    case "queue_timeout":
      return { processed: true, forced: null, delivery: "timeout_notice" };
    case "queue_timeout_unprocessed":
      return { processed: false, forced: null, delivery: "timeout_notice" };
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

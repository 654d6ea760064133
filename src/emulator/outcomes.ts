/**
 * What happens to a push, chosen by the number that receives the prompt. The test-number table
 * makes tests and demos deterministic; every other valid number is answered by a person on the
 * simulated phone page.
 */
import { isPayoutTestNumber } from "./payout-outcomes.ts";

/** How a finished STK transaction ended. */
export type ResultKind =
  | "paid"
  | "insufficient_funds"
  | "cancelled"
  | "no_answer"
  | "wrong_pin"
  | "expired"
  | "push_failed"
  | "rule_limited"
  | "operator_does_not_exist";

export interface ResultSpec {
  /** A number in callbacks (a string only for SFC_ codes); queries send String(code). */
  code: number | string;
  /** Wording of current (2026) callbacks. */
  callbackDesc: string;
  /** Wording of STK Query answers, which differs for some codes. */
  queryDesc: string;
}

export const RESULTS: Readonly<Record<ResultKind, ResultSpec>> = {
  paid: {
    code: 0,
    callbackDesc: "The service request is processed successfully.",
    queryDesc: "The service request is processed successfully.",
  },
  insufficient_funds: {
    code: 1,
    callbackDesc: "The balance is insufficient for the transaction.",
    queryDesc: "The balance is insufficient for the transaction.",
  },
  cancelled: {
    code: 1032,
    callbackDesc: "Request Cancelled by user.",
    queryDesc: "Request cancelled by user",
  },
  no_answer: {
    code: 1037,
    callbackDesc: "No response from user.",
    queryDesc: "DS timeout user cannot be reached.",
  },
  wrong_pin: {
    code: 2001,
    callbackDesc: "The initiator information is invalid.",
    queryDesc: "The initiator information is invalid.",
  },
  expired: { code: 1019, callbackDesc: "Transaction has expired", queryDesc: "Transaction has expired" },
  push_failed: {
    code: 1025,
    callbackDesc: "An error occurred while sending a push request.",
    queryDesc: "An error occurred while sending a push request.",
  },
  rule_limited: { code: 17, callbackDesc: "Rule limited.", queryDesc: "Rule limited." },
  operator_does_not_exist: {
    code: "SFC_IC0003",
    callbackDesc: "The operator does not exist.",
    queryDesc: "The operator does not exist.",
  },
};

/** A number's scripted behaviour (also what the control API sets with "set the outcome for a number"). */
export type Outcome =
  | "pay"
  | "pay_at_once"
  | "insufficient_funds"
  | "cancel"
  | "no_answer"
  | "wrong_pin"
  | "expired"
  | "push_failed"
  | "rule_limited"
  | "lock_error"
  | "paid_no_callback"
  | "duplicate_callback"
  | "late_callback"
  | "spike_arrest"
  | "gateway_unavailable"
  | "response_lost"
  | "interactive";

export const OUTCOMES: readonly Outcome[] = [
  "pay",
  "pay_at_once",
  "insufficient_funds",
  "cancel",
  "no_answer",
  "wrong_pin",
  "expired",
  "push_failed",
  "rule_limited",
  "lock_error",
  "paid_no_callback",
  "duplicate_callback",
  "late_callback",
  "spike_arrest",
  "gateway_unavailable",
  "response_lost",
  "interactive",
];

export interface TestNumber {
  msisdn: string;
  outcome: Outcome;
  description: string;
}

export const TEST_NUMBERS: readonly TestNumber[] = [
  { msisdn: "254708374149", outcome: "pay", description: "customer pays; success callback" },
  { msisdn: "254711111111", outcome: "insufficient_funds", description: "insufficient funds: ResultCode 1" },
  { msisdn: "254700000000", outcome: "pay_at_once", description: "customer pays at once; success callback" },
  { msisdn: "254700001032", outcome: "cancel", description: "customer cancels: 1032" },
  { msisdn: "254700001037", outcome: "no_answer", description: "no answer: 1037 when the prompt times out" },
  { msisdn: "254700002001", outcome: "wrong_pin", description: "wrong PIN: 2001" },
  {
    msisdn: "254700001019",
    outcome: "expired",
    description: "prompt expired: 1019 when the prompt times out",
  },
  { msisdn: "254700001025", outcome: "push_failed", description: "prompt could not be sent: 1025" },
  {
    msisdn: "254700000017",
    outcome: "rule_limited",
    description: "rule limited (same amount twice within 2 min): 17",
  },
  {
    msisdn: "254700001001",
    outcome: "lock_error",
    description: 'push refused at once: "Unable to lock subscriber"',
  },
  {
    msisdn: "254700009001",
    outcome: "paid_no_callback",
    description: "customer pays, but the callback is never sent (only STK Query knows)",
  },
  {
    msisdn: "254700009002",
    outcome: "duplicate_callback",
    description: "customer pays; the callback is sent twice",
  },
  {
    msisdn: "254700009003",
    outcome: "late_callback",
    description: "customer pays; the callback arrives late, after the prompt timeout",
  },
  { msisdn: "254700009004", outcome: "spike_arrest", description: "push refused: 500.003.02 spike arrest" },
  {
    msisdn: "254700009005",
    outcome: "gateway_unavailable",
    description: "the gateway answers the push with a 503 and a non-JSON body; no session is created",
  },
  {
    msisdn: "254700009006",
    outcome: "response_lost",
    description:
      "push accepted and paid, but the response is lost: no answer (the client times out), the connection closes after 30 s (scaled)",
  },
];

const BY_NUMBER = new Map(TEST_NUMBERS.map((t) => [t.msisdn, t.outcome]));

/** Payout test numbers pay their prompts, so a payment from one can be reversed with its outcome. */
export function builtInOutcomeFor(msisdn: string): Outcome {
  return BY_NUMBER.get(msisdn) ?? (isPayoutTestNumber(msisdn) ? "pay" : "interactive");
}

/** When the scripted customer answers, relative to the push. */
export type AnswerTiming = "after_answer_delay" | "at_once" | "at_prompt_timeout" | "soon";

export type CallbackPlan = "once" | "never" | "twice" | "late";

/** The scripted customer's answer. */
export interface ScriptedAnswer {
  timing: AnswerTiming;
  result: ResultKind;
}

/** What the gateway does with a push for a number, decided before any session exists. */
export type PushPlan =
  | { kind: "refuse"; refusal: "lock_error" | "spike_arrest" | "gateway_unavailable" }
  | {
      kind: "session";
      /** null: nobody answers automatically; the prompt waits for a person or times out as 1037. */
      answer: ScriptedAnswer | null;
      callback: CallbackPlan;
      responseLost: boolean;
    };

const session = (
  timing: AnswerTiming,
  result: ResultKind,
  callback: CallbackPlan = "once",
  responseLost = false,
): PushPlan => ({ kind: "session", answer: { timing, result }, callback, responseLost });

export function planFor(outcome: Outcome): PushPlan {
  switch (outcome) {
    case "pay":
      return session("after_answer_delay", "paid");
    case "pay_at_once":
      return session("at_once", "paid");
    case "insufficient_funds":
      return session("after_answer_delay", "insufficient_funds");
    case "cancel":
      return session("after_answer_delay", "cancelled");
    case "no_answer":
      return session("at_prompt_timeout", "no_answer");
    case "wrong_pin":
      return session("after_answer_delay", "wrong_pin");
    case "expired":
      return session("at_prompt_timeout", "expired");
    case "push_failed":
      return session("soon", "push_failed");
    case "rule_limited":
      return session("soon", "rule_limited");
    case "paid_no_callback":
      return session("after_answer_delay", "paid", "never");
    case "duplicate_callback":
      return session("after_answer_delay", "paid", "twice");
    case "late_callback":
      return session("after_answer_delay", "paid", "late");
    case "response_lost":
      return session("after_answer_delay", "paid", "once", true);
    case "lock_error":
    case "spike_arrest":
    case "gateway_unavailable":
      return { kind: "refuse", refusal: outcome };
    case "interactive":
      return { kind: "session", answer: null, callback: "once", responseLost: false };
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === "string" && (OUTCOMES as readonly string[]).includes(value);
}

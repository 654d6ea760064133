import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.ts";
import { envelopeOf, httpStatusOf, rejections } from "../../../src/emulator/errors.ts";
import { FAULT_KINDS, FaultInjector } from "../../../src/emulator/faults.ts";
import {
  builtInOutcomeFor,
  isOutcome,
  OUTCOMES,
  type Outcome,
  planFor,
  TEST_NUMBERS,
} from "../../../src/emulator/outcomes.ts";
import { basicCredentialsOf, bearerTokenOf, TokenStore } from "../../../src/emulator/tokens.ts";

describe("test numbers", () => {
  it.each<[string, Outcome]>([
    ["254708374149", "pay"],
    ["254711111111", "insufficient_funds"],
    ["254700000000", "pay_at_once"],
    ["254700001032", "cancel"],
    ["254700001037", "no_answer"],
    ["254700002001", "wrong_pin"],
    ["254700001019", "expired"],
    ["254700001025", "push_failed"],
    ["254700000017", "rule_limited"],
    ["254700001001", "lock_error"],
    ["254700009001", "paid_no_callback"],
    ["254700009002", "duplicate_callback"],
    ["254700009003", "late_callback"],
    ["254700009004", "spike_arrest"],
    ["254700009005", "gateway_unavailable"],
    ["254700009006", "response_lost"],
    ["254712345678", "interactive"],
  ])("%s → %s", (msisdn, outcome) => expect(builtInOutcomeFor(msisdn)).toBe(outcome));

  it("lists every row of the design's table once", () => {
    expect(TEST_NUMBERS).toHaveLength(16);
    expect(new Set(TEST_NUMBERS.map((t) => t.msisdn)).size).toBe(16);
  });
});

describe("push plans", () => {
  it.each(OUTCOMES)("%s has a plan", (outcome) => {
    const plan = planFor(outcome);
    if (plan.kind === "refuse")
      expect(["lock_error", "spike_arrest", "gateway_unavailable"]).toContain(outcome);
    else if (outcome === "interactive") expect(plan.answer).toBeNull();
    else expect(plan.answer).not.toBeNull();
  });

  it("scripts the callback oddities", () => {
    expect(planFor("paid_no_callback")).toMatchObject({ callback: "never" });
    expect(planFor("duplicate_callback")).toMatchObject({ callback: "twice" });
    expect(planFor("late_callback")).toMatchObject({ callback: "late" });
    expect(planFor("response_lost")).toMatchObject({ responseLost: true, answer: { result: "paid" } });
  });

  it("recognises outcome names", () => {
    expect(isOutcome("pay")).toBe(true);
    expect(isOutcome("PAY")).toBe(false);
  });
});

describe("error envelope", () => {
  it.each<[string, number]>([
    ["400.002.02", 400],
    ["404.001.03", 404],
    ["405.001", 405],
    ["500.001.1001", 500],
    ["500.003.02", 500],
  ])("HTTP status of %s is %i", (code, status) => expect(httpStatusOf(code)).toBe(status));

  it("keeps Daraja's key order; the old 'being processed' answer carries the CheckoutRequestID", () => {
    expect(Object.keys(envelopeOf(rejections.wrongCredentials, "id"))).toEqual([
      "requestId",
      "errorCode",
      "errorMessage",
    ]);
    expect(envelopeOf(rejections.beingProcessed("ws_CO_1"), "other")).toEqual({
      requestId: "ws_CO_1",
      errorCode: "500.001.1001",
      errorMessage: "The transaction is being processed",
    });
  });
});

describe("fault injection", () => {
  const sequence = (seed: string, rate: number) => {
    const faults = new FaultInjector("default");
    faults.configure({ seed, rates: { pushError: rate } });
    return Array.from({ length: 40 }, () => faults.roll("pushError"));
  };

  it("is reproducible for a seed and different for another", () => {
    expect(sequence("42", 0.5)).toEqual(sequence("42", 0.5));
    expect(sequence("42", 0.5)).not.toEqual(sequence("43", 0.5));
  });

  it("never fires at rate 0, always at rate 1, and counts what fired", () => {
    expect(sequence("x", 0).some(Boolean)).toBe(false);
    expect(sequence("x", 1).every(Boolean)).toBe(true);
    const faults = new FaultInjector("s");
    faults.configure({ rates: { callbackLost: 1 } });
    faults.roll("callbackLost");
    expect(faults.injected.callbackLost).toBe(1);
  });

  it("refuses rates outside 0–1", () => {
    const faults = new FaultInjector("s");
    expect(() => faults.configure({ rates: { queryError: 1.5 } })).toThrow(RangeError);
    expect(FAULT_KINDS).toHaveLength(16);
  });
});

describe("OAuth helpers and tokens", () => {
  it("reads Basic and Bearer headers", () => {
    expect(basicCredentialsOf(`Basic ${Buffer.from("key:se:cret").toString("base64")}`)).toEqual({
      key: "key",
      secret: "se:cret",
    });
    expect(basicCredentialsOf("Basic !!!")).toBeNull();
    expect(basicCredentialsOf(`Basic ${Buffer.from("nocolon").toString("base64")}`)).toBeNull();
    expect(basicCredentialsOf(`Bearer abc`)).toBeNull();
    expect(basicCredentialsOf(undefined)).toBeNull();
    expect(bearerTokenOf("Bearer abc")).toBe("abc");
    expect(bearerTokenOf("bearer abc")).toBe("abc");
    expect(bearerTokenOf("Basic abc")).toBeNull();
  });

  it("expire after their lifetime; a new token leaves older ones valid", () => {
    const clock = new ManualClock();
    const tokens = new TokenStore(3599, () => clock.now());
    const first = tokens.issue();
    expect(first.expiresInSeconds).toBe(3599);
    clock.advance(3_000_000);
    const second = tokens.issue();
    expect(tokens.isValid(first.token)).toBe(true);
    clock.advance(600_000);
    expect(tokens.isValid(first.token)).toBe(false);
    expect(tokens.isValid(second.token)).toBe(true);
    expect(tokens.isValid("unknown")).toBe(false);
  });
});

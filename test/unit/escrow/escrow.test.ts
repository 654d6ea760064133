import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { commissionOf } from "../../../src/escrow/escrow.ts";
import { PAYOUT_STATUSES } from "../../../src/payouts/state-machine.ts";
import {
  nextStep,
  originatorConversationIdFor,
  type SubmissionFacts,
} from "../../../src/payouts/submission-policy.ts";

describe("the platform's commission", () => {
  it.each([
    [500, 10, 50],
    [333, 15, 49],
    [999, 10, 99],
    [1, 10, 0],
    [500, 0, 0],
    [500, 100, 500],
    [250_000, 33, 82_500],
  ])("KES %i at %i %% is KES %i, rounded down to whole shillings", (amount, percent, commission) => {
    expect(commissionOf(amount, percent)).toBe(commission);
    expect(Number.isInteger(commissionOf(amount, percent))).toBe(true);
  });
});

describe("escrow configuration", () => {
  it("defaults to a 10 % commission and automatic payouts", () => {
    expect(loadConfig({}).escrow).toEqual({ commissionPercent: 10, payoutApproval: "auto" });
  });

  it("reads PLATFORM_COMMISSION_PERCENT and PAYOUT_APPROVAL", () => {
    expect(loadConfig({ PLATFORM_COMMISSION_PERCENT: "0", PAYOUT_APPROVAL: "admin" }).escrow).toEqual({
      commissionPercent: 0,
      payoutApproval: "admin",
    });
  });

  it.each([
    ["PLATFORM_COMMISSION_PERCENT", "101"],
    ["PLATFORM_COMMISSION_PERCENT", "-1"],
    ["PLATFORM_COMMISSION_PERCENT", "12.5"],
    ["PLATFORM_COMMISSION_PERCENT", "ten"],
    ["PAYOUT_APPROVAL", "manual"],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe("what the submitter does next", () => {
  const facts = (overrides: Partial<SubmissionFacts> = {}): SubmissionFacts => ({
    kind: "payout",
    approvalRequired: false,
    approved: false,
    submitStarted: false,
    ...overrides,
  });

  it("submits a queued item unless an approval is missing", () => {
    expect(nextStep("queued", facts())).toBe("submit");
    expect(nextStep("queued", facts({ approvalRequired: true }))).toBe("await_approval");
    expect(nextStep("queued", facts({ approvalRequired: true, approved: true }))).toBe("submit");
  });

  it("resends a payout under the same OriginatorConversationID, never a reversal", () => {
    expect(nextStep("queued", facts({ submitStarted: true }))).toBe("submit");
    expect(nextStep("queued", facts({ kind: "refund", submitStarted: true }))).toBe("mark_unknown");
    expect(nextStep("queued", facts({ kind: "refund" }))).toBe("submit");
    expect(originatorConversationIdFor("pyt_1", 1)).toBe("pyt_1-1");
    expect(originatorConversationIdFor("pyt_1", 2)).not.toBe(originatorConversationIdFor("pyt_1", 1));
  });

  it("asks Transaction Status about unknown outcomes, waits for results, leaves settled items alone", () => {
    for (const kind of ["payout", "refund"] as const) {
      expect(nextStep("unknown", facts({ kind }))).toBe("ask_status");
      expect(nextStep("submitted", facts({ kind }))).toBe("wait_for_result");
    }
    const settled = PAYOUT_STATUSES.filter((status) => nextStep(status, facts()) === "none");
    expect(settled).toEqual(["succeeded", "failed", "needs_review"]);
  });
});

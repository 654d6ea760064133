import { describe, expect, it } from "vitest";
import { checkResult, type ResultFacts, type SentFacts } from "../../../src/payouts/result-check.ts";

const facts = (recipient: string | null): ResultFacts => ({
  resultCode: "0",
  resultDesc: "ok",
  conversationId: "AG_1",
  originatorConversationId: "o-1",
  receipt: "UAR0000001",
  amount: 500,
  recipient,
  originalReceipt: "UAP0000001",
});
const sent = (recipient: string): SentFacts => ({
  amount: 500,
  recipient,
  conversationId: "AG_1",
  originatorConversationId: "o-1",
  originalReceipt: "UAP0000001",
});

describe("a result's recipient against the one we sent to", () => {
  it("must be the same number, or one a masked number we only know could be", () => {
    const ok = { requireAmount: true };
    expect(checkResult(facts("254708374149"), sent("254708374149"), ok)).toBeNull();
    expect(checkResult(facts("254708374148"), sent("254708374149"), ok)).toBe("recipient differs");
    // Money found on the statement: the payer known only as the portal prints it.
    expect(checkResult(facts("254708374149"), sent("25470****149"), ok)).toBeNull();
    expect(checkResult(facts("254711111149"), sent("25470****149"), ok)).toBe("recipient differs");
    expect(checkResult(facts(null), sent("25470****149"), ok)).toBeNull();
  });
});

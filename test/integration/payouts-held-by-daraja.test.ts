/**
 * A B2C that Daraja holds but never carries out (found by the chaos run): accepted, then a
 * queue-timeout notice, and nothing paid. Transaction Status finds nothing, so the payout is sent
 * again under the same OriginatorConversationID — and Daraja refuses that as a duplicate. Before,
 * it went back to "unknown", Transaction Status found nothing again, and it was resent again: a
 * loop until the 24 h deadline. A refused resend of a request Transaction Status said Daraja never
 * had is a contradiction for a person; the money stays owed to the technician, and it is never
 * resent by itself. Real server, Daraja client and emulator; the submitter run by hand.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

describe("a B2C that Daraja holds but never carries out", () => {
  it("254700008007: not found, the resend refused as a duplicate → a person decides; owed, sent once", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008007" });
    const ref = { kind: "payout" as const, id: payoutId };
    const before = await accountBalances(s.t.db.db.kysely);
    await p.sweep();
    await p.waitFor(ref, ["unknown"]); // the queue-timeout notice
    s.clock.advance(s.t.services.payouts.timings.statusCheckMs + 1_000);
    await p.sweep(); // Transaction Status: 2032
    await p.waitFor(ref, ["queued"]);
    await p.sweep(); // the resend: Duplicate OriginatorConversationID
    const reviewed = await p.waitFor(ref, ["needs_review", "unknown"]);
    expect(reviewed.row.status).toBe("needs_review");
    expect(reviewed.row.failure_reason).toMatch(/duplicate/i);
    // Nothing more is sent, whatever time passes.
    s.clock.advance(s.t.services.payouts.timings.statusCheckMs * 3);
    expect((await p.sweep()).due).toBe(0);
    const accepted = s.emulator.emulator.conversations.list({
      api: "b2c",
      originatorConversationId: `${payoutId}-1`,
    });
    expect(accepted).toHaveLength(1);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.technician_payable).toBe(before.technician_payable);
    expect(s.emulator.emulator.transactions.list({ msisdn: "254700008007" })).toEqual([]);
  });
});

/**
 * Money actually leaving: a completed booking's payout is sent by B2C through the real Daraja
 * client to the emulator, its result comes back on the signed result URL and settles it (the ledger
 * moves technician_payable → mpesa_clearing once); an unregistered number fails, is retried by an
 * admin and goes to review after three failures; a lack of funds keeps it queued. Real HTTP server,
 * the submitter run by hand, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
import { completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

describe("a released fee is paid out", () => {
  it("sends the B2C, and its result pays the technician: technician_payable → mpesa_clearing", async () => {
    const { tech, payoutId } = await completedBooking(s);
    const ref = { kind: "payout" as const, id: payoutId };
    const before = await accountBalances(s.t.db.db.kysely);
    const summary = await p.sweep();
    expect(summary.due).toBeGreaterThanOrEqual(1);
    const paid = await p.waitFor(ref, ["succeeded"]);
    expect(paid.row).toMatchObject({
      status: "succeeded",
      amount: 450,
      result_code: "0",
      originator_conversation_id: `${payoutId}-1`,
      conversation_id: expect.stringMatching(/^AG_/),
      receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      owed: after.technician_payable - before.technician_payable,
      clearing: after.mpesa_clearing - before.mpesa_clearing,
    }).toEqual({ owed: 450, clearing: -450 });
    // What the emulator paid, and to whom.
    const sent = s.emulator.emulator.transactions.get(paid.row.receipt ?? "");
    expect(sent).toMatchObject({ kind: "b2c_payment", amount: 450, msisdn: tech.user.phoneNumber });
    expect((await p.notices(ref)).map((n) => [n.route, n.verdict])).toEqual([["b2c_result", "accepted"]]);
    expect((await p.events(ref)).map((e) => [e.type, e.to])).toEqual([
      ["created", "queued"],
      ["result_success", "succeeded"],
      ["submit_accepted", "submitted"],
    ]);
    // The technician sees it paid.
    const mine = await s.t.app.inject({
      method: "GET",
      url: `/api/v1/payouts/${payoutId}`,
      headers: { authorization: `Bearer ${tech.token}` },
    });
    expect(mine.json().data.payout).toMatchObject({ status: "succeeded", receipt: paid.row.receipt });
    // Nothing is sent again.
    expect((await p.sweep()).due).toBe(0);
  });
});

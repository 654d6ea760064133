/**
 * Money actually leaving: a completed booking's payout is sent by B2C through the real Daraja
 * client to the emulator, its result comes back on the signed result URL and settles it (the ledger
 * moves technician_payable → mpesa_clearing once); an unregistered number fails, is retried by an
 * admin and goes to review after three failures; a lack of funds keeps it queued. Real HTTP server,
 * the submitter run by hand, the books checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
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

describe("a payout that fails", () => {
  it("2040 (unregistered): failed, money still owed; retried by an admin; after three failures a person decides", async () => {
    admin ??= await createAdmin(s.t);
    const { tech, payoutId } = await completedBooking(s, { phone: "254700008002" });
    const ref = { kind: "payout" as const, id: payoutId };
    const owedBefore = (await accountBalances(s.t.db.db.kysely)).technician_payable;
    await p.sweep();
    const failed = await p.waitFor(ref, ["failed"]);
    expect(failed.row).toMatchObject({ result_code: "2040", failures: 1, attempt: 1, receipt: null });
    expect(failed.row.failure_reason).toMatch(/M-Pesa result 2040/);
    // The money stays owed: nothing left our M-Pesa.
    expect((await accountBalances(s.t.db.db.kysely)).technician_payable).toBe(owedBefore);
    // Failed items are not sent again by themselves.
    expect((await p.sweep()).due).toBe(0);
    const listed = (await p.admin(admin, "GET", "/admin/review")).json().data;
    expect(listed.payouts.map((x: { id: string }) => x.id)).toContain(payoutId);

    // Only an admin retries, with a note; a technician is refused.
    expectError(
      await p.admin(tech, "POST", `/admin/payouts/${payoutId}/retry`, { note: "x" }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await p.admin(admin, "POST", `/admin/payouts/${payoutId}/retry`, {}),
      400,
      "VALIDATION_ERROR",
    );
    for (const attempt of [2, 3]) {
      const retried = await p.admin(admin, "POST", `/admin/payouts/${payoutId}/retry`, {
        note: `The technician says the number is registered now (${attempt})`,
      });
      expect(retried.statusCode).toBe(200);
      expect(retried.json().data.payout).toMatchObject({ status: "queued" });
      await p.sweep();
      await p.waitFor(ref, attempt === 3 ? ["needs_review"] : ["failed"]);
    }
    const reviewed = await p.item(ref);
    expect(reviewed.row).toMatchObject({ status: "needs_review", failures: 3, attempt: 3 });
    // Each attempt went out under its own OriginatorConversationID.
    const sent = s.emulator.emulator.conversations.list({ api: "b2c", msisdn: "254700008002" });
    expect(sent.map((c) => c.originatorConversationId).sort()).toEqual(
      [1, 2, 3].map((n) => `${payoutId}-${n}`),
    );
    const retries = (await p.events(ref)).filter((e) => e.type === "admin_retry");
    expect(retries).toHaveLength(2);
    for (const e of retries) {
      expect(e.actor).toBe(admin.user.id);
      expect(e.data).toMatchObject({ note: expect.stringMatching(/registered now/) });
    }
    // A person settles it: the money did not reach the technician; it stays owed.
    const resolved = await p.admin(admin, "POST", `/admin/payouts/${payoutId}/resolve`, {
      outcome: "failed",
      note: "Number not on M-Pesa; asked the technician for another",
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().data.payout).toMatchObject({ status: "failed" });
    expect((await accountBalances(s.t.db.db.kysely)).technician_payable).toBe(owedBefore);
    expectError(
      await p.admin(admin, "POST", `/admin/payouts/${payoutId}/resolve`, {
        outcome: "failed",
        note: "again",
      }),
      409,
      "PAYOUT_NOT_RESOLVABLE",
    );
    expectError(
      await p.admin(admin, "POST", "/admin/payouts/pyt_nope/retry", { note: "x" }),
      404,
      "PAYOUT_NOT_FOUND",
    );
  });

  it("1 (the utility account lacks funds): kept queued as a fresh attempt, counted for the alert, never failed", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008003" });
    const ref = { kind: "payout" as const, id: payoutId };
    const alerts = async () =>
      (await s.t.services.metrics.payoutInsufficientFundsTotal.get()).values.find(
        (v) => v.labels.kind === "payout",
      )?.value ?? 0;
    const before = await alerts();
    await p.sweep();
    const waitingFunds = async () => {
      for (let i = 0; i < 250; i++) {
        await s.t.services.payoutResults.whenIdle();
        const item = await p.item(ref);
        if (item.row.result_code === "1") return item;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error("no insufficient-funds result");
    };
    const kept = await waitingFunds();
    expect(kept.row).toMatchObject({
      status: "queued",
      attempt: 2,
      failures: 0,
      conversation_id: null,
      originator_conversation_id: null,
      submit_started_at: null,
    });
    expect(await alerts()).toBe(before + 1);
    // Not before the funds retry is due; then sent again, under a new OriginatorConversationID.
    expect((await p.sweep()).due).toBe(0);
    s.clock.advance(s.t.services.payouts.timings.fundsRetryMs + 1_000);
    await p.sweep();
    await p.waitFor(ref, ["queued"]);
    const sent = s.emulator.emulator.conversations.list({ api: "b2c", msisdn: "254700008003" });
    expect(sent.map((c) => c.originatorConversationId)).toContain(`${payoutId}-2`);
    expect((await p.item(ref)).row.failures).toBe(0);
  });
});

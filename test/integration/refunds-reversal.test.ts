/**
 * Refunds leave by Reversal of the customer's payment: a cancelled booking's held fee goes back
 * (customer_refunds_payable → mpesa_clearing once); a reversal whose result is lost is settled by
 * Transaction Status about the original receipt, never by sending it again; one that nobody could
 * settle in 24 h goes to a person, whose retry is answered R000001 "already reversed" — success,
 * never a second payment; an overpayment owed becomes a refund that is sent by the submitter's sweep.
 * Real server, Daraja client and emulator; the books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
import { cancelledBooking, lifeRoutes } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
let admin: RegisteredUser;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

const refund = (id: string) => ({ kind: "refund" as const, id });
const reversalsOf = (receipt: string) =>
  s.emulator.emulator.transactions
    .list()
    .filter((t) => t.kind === "reversal" && t.originalReceipt === receipt);

describe("a cancelled booking's fee goes back by reversal", () => {
  it("reverses the payment: the customer gets KES 500, customer_refunds_payable → mpesa_clearing", async () => {
    const { c, refundId } = await cancelledBooking(s);
    const ref = refund(refundId);
    const receipt = (await s.row(c.transactionId)).mpesa_receipt_number ?? "";
    const before = await accountBalances(s.t.db.db.kysely);
    await p.sweep();
    const done = await p.waitFor(ref, ["succeeded"]);
    expect(done.row).toMatchObject({
      result_code: "0",
      amount: 500,
      conversation_id: expect.stringMatching(/^AG_/),
    });
    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      owed: after.customer_refunds_payable - before.customer_refunds_payable,
      clearing: after.mpesa_clearing - before.mpesa_clearing,
    }).toEqual({ owed: 500, clearing: -500 });
    expect(reversalsOf(receipt)).toEqual([
      expect.objectContaining({ receipt: done.row.receipt, amount: 500, msisdn: "254708374149" }),
    ]);
    // The customer sees it on their refunds and on the booking.
    const mine = await lifeRoutes(s).get(c.token, `/refunds/${refundId}`);
    expect(mine.json().data.refund).toMatchObject({ status: "succeeded", transactionId: c.transactionId });
    expect((await lifeRoutes(s).booking(c.token, c.bookingId)).refund?.status).toBe("succeeded");
  });

  it("254700008004: the reversal's result is lost; Transaction Status of the receipt says reversed", async () => {
    const { c, refundId } = await cancelledBooking(s, "254700008004");
    const ref = refund(refundId);
    await p.sweep();
    await p.waitFor(ref, ["submitted"]);
    s.clock.advance(s.t.services.payouts.timings.resultWaitMs + 1_000);
    await p.sweep();
    const done = await p.waitFor(ref, ["succeeded"]);
    expect(done.row.completed_at).not.toBeNull();
    const receipt = (await s.row(c.transactionId)).mpesa_receipt_number ?? "";
    expect(reversalsOf(receipt)).toHaveLength(1);
    const asked = s.emulator.emulator.conversations.list({ api: "transaction_status" });
    expect(asked.some((q) => q.request.TransactionID === receipt)).toBe(true);
  });
});

describe("a reversal is never sent twice by itself", () => {
  it("unsettled for 24 h it goes to a person; their retry is answered R000001: done, paid once", async () => {
    admin ??= await createAdmin(s.t);
    const { c, refundId } = await cancelledBooking(s, "254700008004");
    const ref = refund(refundId);
    const receipt = (await s.row(c.transactionId)).mpesa_receipt_number ?? "";
    const before = await accountBalances(s.t.db.db.kysely);
    await p.sweep();
    await p.waitFor(ref, ["submitted"]);
    await s.emulator.emulator.conversations.waitFor(
      (x) => x.api === "reversal" && x.request.TransactionID === receipt && x.status === "completed",
    );
    // Nobody hears of it for a day (as if every status answer were lost too).
    s.clock.advance(s.t.services.payouts.timings.deadlineMs + 60_000);
    await p.sweep();
    const reviewed = await p.waitFor(ref, ["needs_review"]);
    expect(reviewed.row.failure_reason).toMatch(/24 hours/);
    expect(reversalsOf(receipt)).toHaveLength(1);
    const queue = (await p.admin(admin, "GET", "/admin/review")).json().data;
    expect(queue.refunds.map((x: { id: string }) => x.id)).toContain(refundId);

    const retried = await p.admin(admin, "POST", `/admin/refunds/${refundId}/retry`, {
      note: "Customer says no money came back",
    });
    expect(retried.statusCode).toBe(200);
    // This time Daraja's answer reaches us.
    s.emulator.emulator.setPayoutOutcome("254700008004", "pay");
    let done: Awaited<ReturnType<PayoutsDriver["waitFor"]>>;
    try {
      await p.sweep();
      done = await p.waitFor(ref, ["succeeded"]);
    } finally {
      s.emulator.emulator.setPayoutOutcome("254700008004", null);
    }
    expect(done.row).toMatchObject({ result_code: "R000001", attempt: 2 });
    // The second reversal moved nothing at M-Pesa, and our books paid the refund once.
    expect(reversalsOf(receipt)).toHaveLength(1);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.customer_refunds_payable - before.customer_refunds_payable).toBe(500);
    const events = await p.events(ref);
    expect(events.map((e) => [e.type, e.to])).toContainEqual(["already_reversed", "succeeded"]);
    expect(events.find((e) => e.type === "admin_retry")).toMatchObject({
      actor: admin.user.id,
      data: { note: "Customer says no money came back" },
    });
  });
});

describe("a reversal whose answer was a 5xx", () => {
  it("is not resent: Transaction Status finds the payment not reversed, and a person decides", async () => {
    admin ??= await createAdmin(s.t);
    const { c, refundId } = await cancelledBooking(s);
    const ref = refund(refundId);
    const receipt = (await s.row(c.transactionId)).mpesa_receipt_number ?? "";
    s.emulator.emulator.setFaults({ rates: { asyncError: 1 } });
    try {
      await p.sweep();
    } finally {
      s.emulator.emulator.setFaults({});
    }
    await p.waitFor(ref, ["unknown"]);
    s.clock.advance(s.t.services.payouts.timings.statusCheckMs + 1_000);
    await p.sweep();
    const reviewed = await p.waitFor(ref, ["needs_review"]);
    expect(reviewed.row.failure_reason).toMatch(/never resent automatically/);
    const sent = () =>
      s.emulator.emulator.requests
        .list({ path: "/mpesa/reversal/v1/request" })
        .filter((r) => (r.body as { TransactionID?: string } | null)?.TransactionID === receipt);
    expect(sent()).toHaveLength(1);
    expect(await p.sweep()).toMatchObject({ due: 0 });
    // The person's retry sends it, once.
    expect(
      (await p.admin(admin, "POST", `/admin/refunds/${refundId}/retry`, { note: "M-Pesa was down" }))
        .statusCode,
    ).toBe(200);
    await p.sweep();
    await p.waitFor(ref, ["succeeded"]);
    expect(sent()).toHaveLength(2);
    expect(reversalsOf(receipt)).toHaveLength(1);
  });
});

describe("an overpayment owed back", () => {
  it("becomes a refund the submitter's sweep queues and sends", async () => {
    const emulator = s.emulator.emulator;
    const phone = "254722000222";
    emulator.setTimeScale(1); // the prompt waits for us instead of timing out
    try {
      const c = await s.customer();
      const push = await s.stkPush(c.token, pushBody(c.bookingId, phone));
      const { transactionId, checkoutRequestId } = push.json().data;
      expect((await lifeRoutes(s).cancel(c.token, c.bookingId, "Found someone else")).statusCode).toBe(200);
      emulator.resolve(checkoutRequestId, "pay");
      await s.waitForStatus(c.token, transactionId, ["needs_review"]);
    } finally {
      emulator.setTimeScale(0.01);
    }
    const owedBefore = (await accountBalances(s.t.db.db.kysely)).customer_refunds_payable;
    const summary = await p.sweep();
    expect(summary.refundsQueued).toBe(1);
    const created = await s.t.db.db.kysely
      .selectFrom("refunds")
      .select(["id", "transaction_id", "phone_number"])
      .where("phone_number", "=", phone)
      .executeTakeFirstOrThrow();
    const done = await p.waitFor(refund(created.id), ["succeeded"]);
    expect(done.row.amount).toBe(500);
    expect((await accountBalances(s.t.db.db.kysely)).customer_refunds_payable - owedBefore).toBe(500);
    expect((await p.sweep()).refundsQueued).toBe(0);
  });
});

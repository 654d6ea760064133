/**
 * Daraja's notices about money going out, when they are not what they seem: a payout's genuine
 * result swapped onto another payout's signed URL, replayed altered after it was paid, naming
 * another recipient or a receipt another payout already has; queue timeouts and results of one
 * kind posted to the other kind's URL; a late duplicate of an earlier attempt's failure after an
 * admin's retry; a reversal or Transaction Status result naming another payment; a refunded
 * payment's callback replayed. Each is refused or sent to a person: nothing is paid or settled
 * twice, no payable moves on a doubtful notice.
 * Forged and unsigned notices: payouts-recovery.test.ts. Real server, Daraja client and emulator;
 * the books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import { type Item, type ItemRef, markSubmitStarted } from "../../src/payouts/payout.repository.ts";
import { originatorConversationIdFor } from "../../src/payouts/submission-policy.ts";
import { bearer, createAdmin } from "../support/app.ts";
import { cancelledBooking, completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import {
  b2cResultBody,
  type PayoutsDriver,
  paidPayout,
  payoutsDriver,
  reversalResultBody,
  statusResultBody,
  waitingPayout,
} from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

const refund = (id: string): ItemRef => ({ kind: "refund", id });
const refundRow = (item: Item) => {
  if (item.kind !== "refund") throw new Error(`${item.row.id} is not a refund`);
  return item.row;
};
const settled = async () => {
  await s.t.services.payoutResults.whenIdle();
};

describe("payout results swapped, replayed or altered", () => {
  it("a payout's genuine result on another payout's URL pays neither again: that one goes to a person", async () => {
    const a = await paidPayout(s, p);
    const b = await waitingPayout(s, p);
    const before = await p.money(a.ref, b.ref);
    expect((await p.post("b2c_result", b.ref, a.body)).status).toBe(200);
    await settled();
    expect((await p.item(b.ref)).row).toMatchObject({
      status: "needs_review",
      failure_reason: expect.stringMatching(/ConversationID differs/),
      receipt: null,
    });
    expect((await p.item(a.ref)).row).toMatchObject({ status: "succeeded", receipt: a.row.receipt });
    expect(await p.money(a.ref, b.ref)).toEqual(before);
  });

  it("a paid payout's result replayed with another receipt or amount is recorded, never paid again", async () => {
    const a = await paidPayout(s, p);
    const before = await p.money(a.ref);
    const altered = [
      a.body.replaceAll(a.row.receipt ?? "", "UAF9Z9Z9Z9"),
      a.body.replace('"Value":450', '"Value":4500'),
      a.body,
    ];
    expect(new Set(altered).size).toBe(3);
    for (const body of altered) expect((await p.post("b2c_result", a.ref, body)).status).toBe(200);
    await settled();
    expect((await p.item(a.ref)).row).toMatchObject({ status: "succeeded", receipt: a.row.receipt });
    expect(await p.money(a.ref)).toEqual(before);
    const contradictions = (await p.events(a.ref)).filter((e) =>
      /contradict|different success/.test(String(e.data.note)),
    );
    expect(contradictions.length).toBeGreaterThanOrEqual(2);
  });

  it("a result with the payout's own ids but another recipient, or another payout's receipt, settles nothing", async () => {
    const a = await paidPayout(s, p);
    const b = await waitingPayout(s, p);
    const c = await waitingPayout(s, p);
    const before = await p.money(a.ref, b.ref, c.ref);
    const elsewhere = b2cResultBody({ ...b.ids, amount: 450, receipt: "UAF1B2C3D4", party: "254711000000" });
    expect((await p.post("b2c_result", b.ref, elsewhere)).status).toBe(200);
    const reused = b2cResultBody({
      ...c.ids,
      amount: 450,
      receipt: a.row.receipt ?? "",
      party: "254700008004",
    });
    expect((await p.post("b2c_result", c.ref, reused)).status).toBe(200);
    await settled();
    expect((await p.item(b.ref)).row).toMatchObject({
      status: "needs_review",
      failure_reason: expect.stringMatching(/recipient differs/),
    });
    // One M-Pesa receipt is one movement: it cannot settle a second payout.
    expect((await p.item(c.ref)).row).toMatchObject({ status: "submitted", receipt: null });
    expect(
      (await p.notices(c.ref)).find((n) => n.route === "b2c_result" && n.raw_body === reused),
    ).toMatchObject({
      verdict: "rejected",
      reason: expect.stringMatching(/belong to another item/),
    });
    expect(await p.money(a.ref, b.ref, c.ref)).toEqual(before);
  });

  it("timeouts and results of one kind on the other kind's URL move nothing", async () => {
    const a = await paidPayout(s, p);
    const b = await waitingPayout(s, p);
    const { refundId } = await cancelledBooking(s, "254700008004");
    const r = refund(refundId);
    await p.sweep();
    const rRow = refundRow(await p.waitFor(r, ["submitted"]));
    const before = await p.money(a.ref, b.ref, r);
    const reversal = reversalResultBody({
      conversationId: rRow.conversation_id ?? "",
      originatorConversationId: rRow.originator_conversation_id ?? "",
      originalReceipt: rRow.original_receipt ?? "",
      receipt: "UAF7R7R7R7",
    });
    const answers = [
      // Another payout's queue timeout on this payout's URL.
      await p.post("b2c_timeout", b.ref, a.body),
      // The refund's reversal result on the payout's URL, and a B2C result on the refund's.
      await p.post("reversal_result", b.ref, reversal),
      await p.post("b2c_result", r, a.body),
      await p.post("b2c_timeout", r, "{}"),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    await settled();
    expect((await p.item(b.ref)).row.status).toBe("submitted");
    expect((await p.item(r)).row.status).toBe("submitted");
    const refused = (await p.notices(b.ref)).filter((n) => n.verdict === "rejected").map((n) => n.reason);
    expect(refused.sort()).toEqual([
      "a reversal result cannot be about a payout",
      expect.stringMatching(/^queue timeout refused: it names another/),
    ]);
    expect(await p.money(a.ref, b.ref, r)).toEqual(before);
  });

  it("a late duplicate of an earlier attempt's failure leaves the retried attempt alone; its own result pays it once", async () => {
    const admin = await createAdmin(s.t);
    const { payoutId } = await completedBooking(s, { phone: "254700008002" }); // 2040: not registered
    const ref: ItemRef = { kind: "payout", id: payoutId };
    await p.sweep();
    await p.waitFor(ref, ["failed"]);
    const firstFailure = (await p.notices(ref)).find((n) => n.route === "b2c_result")?.raw_body ?? "";
    const retried = await s.t.app.inject({
      method: "POST",
      url: `/api/v1/admin/payouts/${payoutId}/retry`,
      headers: bearer(admin.token),
      payload: { note: "The number is registered now" },
    });
    expect(retried.statusCode).toBe(200);
    // The second attempt goes out and Daraja accepts it (recorded as the submitter records it).
    const second = {
      conversationId: "AG_20260115_00000000000000002nd",
      originatorConversationId: originatorConversationIdFor(payoutId, 2),
    };
    expect(
      await markSubmitStarted(s.t.db.db.kysely, ref, {
        attempt: 2,
        originatorConversationId: second.originatorConversationId,
        at: s.clock.now(),
      }),
    ).toBe(true);
    await s.t.services.payouts.applyEvent(ref, { type: "submit_accepted", ...second }, "submit");
    const paidOut = async () => (await p.money(ref)).filter((t) => t.kind === "payout_paid");

    expect((await p.post("b2c_result", ref, firstFailure)).status).toBe(200);
    await settled();
    expect((await p.item(ref)).row).toMatchObject({ status: "submitted", attempt: 2, failures: 1 });
    expect(await paidOut()).toEqual([]);

    const paid = b2cResultBody({ ...second, amount: 450, receipt: "UAF2N2N2N2", party: "254700008002" });
    expect((await p.post("b2c_result", ref, paid)).status).toBe(200);
    await settled();
    expect((await p.item(ref)).row).toMatchObject({ status: "succeeded", receipt: "UAF2N2N2N2" });
    expect(await paidOut()).toMatchObject([{ amount: 450 }]);
  });
});

describe("refund results naming another payment", () => {
  it("the refunded payment's own callback replayed after the reversal is a duplicate: nothing comes back in", async () => {
    const { c, refundId } = await cancelledBooking(s);
    await p.sweep();
    await p.waitFor(refund(refundId), ["succeeded"]);
    const original = await s.t.db.db.kysely
      .selectFrom("mpesa_callbacks")
      .select("raw_body")
      .where("transaction_id", "=", c.transactionId)
      .where("verdict", "=", "accepted")
      .executeTakeFirstOrThrow();
    const before = await p.money(refund(refundId));
    for (let i = 0; i < 2; i++)
      expect((await s.postCallback(c.transactionId, original.raw_body)).status).toBe(200);
    await s.t.services.payments.callbacks.whenIdle();
    expect((await s.row(c.transactionId)).status).toBe("completed");
    expect((await s.fee(c.bookingId)).status).toBe("refunded");
    expect(await p.money(refund(refundId))).toEqual(before);
    expect(before.map((t) => t.kind)).toContain("refund_paid");
  });

  it("a reversal or Transaction Status result about another receipt, or another amount, settles nothing", async () => {
    const refunds = [];
    for (let i = 0; i < 3; i++) {
      const { refundId } = await cancelledBooking(s, "254700008004"); // the reversal's result never comes
      s.clock.advance(61_000);
      refunds.push(refund(refundId));
    }
    await p.sweep();
    const rows = await Promise.all(refunds.map(async (r) => refundRow(await p.waitFor(r, ["submitted"]))));
    const [one, two, three] = rows.map((row) => ({
      conversationId: row.conversation_id ?? "",
      originatorConversationId: row.originator_conversation_id ?? "",
      originalReceipt: row.original_receipt ?? "",
      party: "254700008004",
      receipt: "UAF3R3R3R3",
    }));
    if (!one || !two || !three) throw new Error("three refunds were made");
    const before = await p.money(...refunds);
    const [r1, r2, r3] = refunds as [ItemRef, ItemRef, ItemRef];
    // Another payment's receipt reversed; the right receipt but another amount; a status of another payment.
    await p.post("reversal_result", r1, reversalResultBody({ ...one, originalReceipt: two.originalReceipt }));
    await p.post("reversal_result", r2, reversalResultBody({ ...two, amount: 499 }));
    await p.post(
      "status_result",
      r3,
      statusResultBody({
        status: "Reversed",
        amount: 500,
        receipt: one.originalReceipt,
        debitParty: "254700008004",
      }),
    );
    await settled();
    const after = await Promise.all(refunds.map(async (r) => (await p.item(r)).row));
    expect(after.map((row) => [row.status, row.receipt])).toEqual([
      ["needs_review", null],
      ["needs_review", null],
      ["needs_review", null],
    ]);
    expect(after.map((row) => row.failure_reason)).toEqual([
      expect.stringMatching(/original receipt differs/),
      expect.stringMatching(/amount 499 differs/),
      expect.stringMatching(/original receipt differs/),
    ]);
    expect(await p.money(...refunds)).toEqual(before);
  });
});

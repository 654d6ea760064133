/**
 * The one path that changes a payout or refund (`services.payouts.applyEvent`), on both engines:
 * compare-and-set, ledger and event row in one transaction; a result settles the payable once
 * however often it is delivered; a result that disagrees with what we sent moves no money; failures
 * leave the money owed. Payouts and refunds come from completed and cancelled bookings through the
 * real HTTP server; the books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import {
  claimItem,
  findDueItems,
  type ItemRef,
  markSubmitStarted,
  releaseItem,
} from "../../src/payouts/payout.repository.ts";
import type { ResultFacts } from "../../src/payouts/state-machine.ts";
import { originatorConversationIdFor } from "../../src/payouts/submission-policy.ts";
import { cancelledBooking, completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";

let s: PaymentsStack;
withPaymentsStack((stack) => {
  s = stack;
});

let conversation = 0;
const apply: PaymentsStack["t"]["services"]["payouts"]["applyEvent"] = (ref, event, source) =>
  s.t.services.payouts.applyEvent(ref, event, source);

/** Marks the send started and records Daraja's acceptance; answers the ids used. */
async function submit(ref: ItemRef) {
  conversation += 1;
  const conversationId = `AG_20260115_${String(conversation).padStart(6, "0")}`;
  const originatorConversationId =
    ref.kind === "payout" ? originatorConversationIdFor(ref.id, 1) : `10571-${conversation}-1`;
  const at = s.clock.now();
  expect(await markSubmitStarted(s.t.db.db.kysely, ref, { attempt: 1, originatorConversationId, at })).toBe(
    true,
  );
  const accepted = await apply(
    ref,
    { type: "submit_accepted", conversationId, originatorConversationId },
    "submit",
  );
  expect(accepted).toMatchObject({ applied: true, to: "submitted" });
  return { conversationId, originatorConversationId };
}

function success(
  ids: { conversationId: string; originatorConversationId: string },
  extra: Partial<ResultFacts>,
): ResultFacts {
  return {
    resultCode: "0",
    resultDesc: "The service request is processed successfully.",
    ...ids,
    receipt: `SG${String(conversation).padStart(8, "0")}`,
    amount: 450,
    recipient: null,
    originalReceipt: null,
    ...extra,
  };
}

const transfersOf = (ref: ItemRef) =>
  s.t.db.db.kysely
    .selectFrom("ledger_transfers")
    .select(["kind", "amount"])
    .where("transfer_key", "=", `${ref.kind}-paid:${ref.id}`)
    .execute();

describe("a payout's result", () => {
  it("settles the technician's payable once, however many times it is delivered at once", async () => {
    const { tech, payoutId } = await completedBooking(s);
    const ref: ItemRef = { kind: "payout", id: payoutId };
    const ids = await submit(ref);
    const before = await accountBalances(s.t.db.db.kysely);
    const facts = success(ids, { recipient: tech.user.phoneNumber });
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => apply(ref, { type: "result_success", facts }, "result")),
    );
    expect(outcomes.filter((o) => o.applied && !o.duplicate)).toHaveLength(1);
    expect(outcomes.filter((o) => o.applied && o.duplicate)).toHaveLength(4);
    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      owed: after.technician_payable - before.technician_payable,
      clearing: after.mpesa_clearing - before.mpesa_clearing,
    }).toEqual({ owed: 450, clearing: -450 });
    expect(await transfersOf(ref)).toEqual([{ kind: "payout_paid", amount: 450 }]);
    const view = await s.t.services.payouts.getPayout({ id: tech.user.id, role: "technician" }, payoutId);
    expect(view).toMatchObject({
      status: "succeeded",
      conversationId: ids.conversationId,
      receipt: facts.receipt,
      resultCode: "0",
      completedAt: s.clock.now().toISOString(),
    });
    const events = await s.t.db.db.kysely
      .selectFrom("payout_events")
      .select(["type", "to_status"])
      .where("item_id", "=", payoutId)
      .execute();
    expect(events.map((e) => e.type).sort()).toEqual([
      "created",
      "result_success",
      "result_success",
      "result_success",
      "result_success",
      "result_success",
      "submit_accepted",
    ]);
  });

  it("a result that disagrees with what we sent moves no money; a person decides", async () => {
    const { payoutId } = await completedBooking(s);
    const ref: ItemRef = { kind: "payout", id: payoutId };
    const ids = await submit(ref);
    const wrong = await apply(
      ref,
      { type: "result_success", facts: success(ids, { amount: 4500 }) },
      "result",
    );
    expect(wrong).toMatchObject({ applied: true, to: "needs_review" });
    expect(await transfersOf(ref)).toEqual([]);
    expect(wrong.item?.row).toMatchObject({
      failure_reason: expect.stringMatching(/amount 4500 differs/),
      receipt: null,
    });
    const resolved = await apply(
      ref,
      { type: "admin_resolve", adminId: "usr_admin", note: "paid, seen in the portal", outcome: "succeeded" },
      "admin",
    );
    expect(resolved).toMatchObject({ applied: true, to: "succeeded" });
    expect(await transfersOf(ref)).toEqual([{ kind: "payout_paid", amount: 450 }]);
    const decision = await s.t.db.db.kysely
      .selectFrom("payout_events")
      .selectAll()
      .where("item_id", "=", payoutId)
      .where("type", "=", "admin_resolve")
      .executeTakeFirstOrThrow();
    expect(decision.actor_id).toBe("usr_admin");
    expect(JSON.parse(decision.data)).toMatchObject({
      note: "paid, seen in the portal",
      outcome: "succeeded",
    });
  });

  it("lack of funds keeps it queued for a fresh attempt; failures leave the money owed, the third goes to review", async () => {
    const { payoutId } = await completedBooking(s);
    const ref: ItemRef = { kind: "payout", id: payoutId };
    const owed = async () => (await accountBalances(s.t.db.db.kysely)).technician_payable;
    const start = await owed();
    const first = await submit(ref);
    const funds = await apply(
      ref,
      {
        type: "insufficient_funds",
        resultCode: "1",
        resultDesc: "The balance is insufficient for the transaction.",
        conversationId: first.conversationId,
      },
      "result",
    );
    expect(funds.item?.row).toMatchObject({
      status: "queued",
      attempt: 2,
      conversation_id: null,
      originator_conversation_id: null,
      result_code: "1",
    });
    expect(funds.item?.row.next_check_at).toBe(
      new Date(s.clock.now().getTime() + s.t.services.payouts.timings.fundsRetryMs).toISOString(),
    );
    const alerts = (
      await s.t.services.metrics.registry.getSingleMetric("payout_insufficient_funds_total")?.get()
    )?.values;
    expect(alerts?.find((v) => v.labels.kind === "payout")?.value).toBeGreaterThanOrEqual(1);

    // Attempt 2 carries a new OriginatorConversationID, so Daraja does not refuse it as a duplicate.
    conversation += 1;
    const second = {
      conversationId: `AG_20260115_b${conversation}`,
      originatorConversationId: originatorConversationIdFor(payoutId, 2),
    };
    await apply(ref, { type: "submit_accepted", ...second }, "submit");
    const fail = (ids: typeof second) =>
      apply(
        ref,
        {
          type: "result_failure",
          facts: success(ids, {
            resultCode: "2040",
            resultDesc: "Credit Party customer type (Unregistered) not supported",
            receipt: null,
            amount: null,
          }),
        },
        "result",
      );
    expect(await fail(second)).toMatchObject({ applied: true, to: "failed" });
    expect(await owed()).toBe(start);
    for (const n of [3, 4]) {
      expect(
        await apply(ref, { type: "admin_retry", adminId: "usr_admin", note: `try ${n}` }, "admin"),
      ).toMatchObject({ to: "queued" });
      const ids = {
        conversationId: `AG_20260115_c${n}${conversation}`,
        originatorConversationId: originatorConversationIdFor(payoutId, n),
      };
      await apply(ref, { type: "submit_accepted", ...ids }, "submit");
      expect(await fail(ids)).toMatchObject({ applied: true, to: n === 4 ? "needs_review" : "failed" });
    }
    expect(await owed()).toBe(start);
    expect(await transfersOf(ref)).toEqual([]);
  });

  it("Daraja's ids belong to one item: another payout cannot take them", async () => {
    const one = await completedBooking(s);
    const two = await completedBooking(s);
    const ids = await submit({ kind: "payout", id: one.payoutId });
    const stolen = await apply(
      { kind: "payout", id: two.payoutId },
      { type: "submit_accepted", ...ids },
      "submit",
    );
    expect(stolen).toMatchObject({ applied: false, reason: expect.stringMatching(/belong to another/) });
    expect(stolen.item?.row).toMatchObject({ status: "queued", conversation_id: null });
  });
});

describe("what the submitter finds to do", () => {
  it("a new payout is due at once; a submitted one when its result is overdue; one worker at a time", async () => {
    const { payoutId } = await completedBooking(s);
    const ref: ItemRef = { kind: "payout", id: payoutId };
    const k = s.t.db.db.kysely;
    const due = () => findDueItems(k, "payout", s.clock.now(), 1_000);
    expect(await due()).toContain(payoutId);
    const now = s.clock.now();
    const until = new Date(now.getTime() + 30_000);
    expect(await claimItem(k, ref, "worker-a", now, until)).toBe(true);
    expect(await claimItem(k, ref, "worker-b", now, until)).toBe(false);
    expect(await due()).not.toContain(payoutId);
    await releaseItem(k, ref, "worker-b"); // not theirs: nothing happens
    expect(await claimItem(k, ref, "worker-b", now, until)).toBe(false);
    await releaseItem(k, ref, "worker-a");
    await submit(ref);
    expect(await due()).not.toContain(payoutId);
    s.clock.advance(s.t.services.payouts.timings.resultWaitMs);
    expect(await due()).toContain(payoutId);
    // A send can only be marked started while queued in that attempt.
    expect(
      await markSubmitStarted(k, ref, { attempt: 1, originatorConversationId: null, at: s.clock.now() }),
    ).toBe(false);
    const overdue = await apply(ref, { type: "result_overdue" }, "submitter");
    expect(overdue).toMatchObject({ applied: true, to: "unknown" });
    expect(await due()).not.toContain(payoutId);
  });
});

describe("a refund's result", () => {
  it("a reversal settles the customer's refund once; an 'already reversed' answer is success, never a second payment", async () => {
    const x = await cancelledBooking(s);
    const y = await cancelledBooking(s);
    const before = await accountBalances(s.t.db.db.kysely);
    const refX: ItemRef = { kind: "refund", id: x.refundId };
    const idsX = await submit(refX);
    const receiptX = (await s.row(x.c.transactionId)).mpesa_receipt_number;
    const done = await apply(
      refX,
      { type: "result_success", facts: success(idsX, { amount: 500, originalReceipt: receiptX }) },
      "result",
    );
    expect(done).toMatchObject({ applied: true, to: "succeeded" });

    const refY: ItemRef = { kind: "refund", id: y.refundId };
    const idsY = await submit(refY);
    const again = await apply(
      refY,
      {
        type: "already_reversed",
        facts: success(idsY, { resultCode: "R000001", amount: null, receipt: null }),
      },
      "result",
    );
    expect(again).toMatchObject({ applied: true, to: "succeeded" });
    const repeat = await apply(
      refY,
      {
        type: "already_reversed",
        facts: success(idsY, { resultCode: "R000001", amount: null, receipt: null }),
      },
      "result",
    );
    expect(repeat).toMatchObject({ applied: true, duplicate: true });

    const after = await accountBalances(s.t.db.db.kysely);
    expect({
      owed: after.customer_refunds_payable - before.customer_refunds_payable,
      clearing: after.mpesa_clearing - before.mpesa_clearing,
    }).toEqual({ owed: 1000, clearing: -1000 });
    expect(await transfersOf(refY)).toEqual([{ kind: "refund_paid", amount: 500 }]);
    // A reversal of another receipt is not ours to settle.
    const z = await cancelledBooking(s);
    const refZ: ItemRef = { kind: "refund", id: z.refundId };
    const idsZ = await submit(refZ);
    const other = await apply(
      refZ,
      { type: "result_success", facts: success(idsZ, { amount: 500, originalReceipt: "UAF9999999" }) },
      "result",
    );
    expect(other).toMatchObject({ applied: true, to: "needs_review" });
  });
});

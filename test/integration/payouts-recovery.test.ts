/**
 * When Daraja's answers about a payout go wrong: the result never comes (Transaction Status settles
 * it), a queue-timeout notice instead of the result (unknown, never failed; Transaction Status
 * decides), the result delivered twice (paid once), a forged or unsigned result (refused 403,
 * stored, nothing moves), a result that names other ids or another amount (no money moves).
 * Real server, Daraja client and emulator; the submitter run by hand with the app's clock moved
 * forward. The books are checked after every test.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { markSubmitStarted } from "../../src/payouts/payout.repository.ts";
import { insertPayoutResult } from "../../src/payouts/payout-results.repository.ts";
import { completedBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

const payout = (id: string) => ({ kind: "payout" as const, id });

describe("a payout's result that is lost or late", () => {
  it("254700008004: no result comes; once it is overdue, Transaction Status finds it paid", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008004" });
    const ref = payout(payoutId);
    await p.sweep();
    await p.waitFor(ref, ["submitted"]);
    // Paid at M-Pesa, but we have not heard: still owed on our books, nothing asked yet.
    const conversation = await s.emulator.emulator.conversations.waitFor(
      (c) => c.originatorConversationId === `${payoutId}-1` && c.status === "completed",
    );
    expect(conversation.result).toMatchObject({ resultCode: 0 });
    expect((await p.sweep()).due).toBe(0);
    const before = await accountBalances(s.t.db.db.kysely);
    s.clock.advance(s.t.services.payouts.timings.resultWaitMs + 1_000);
    await p.sweep();
    const paid = await p.waitFor(ref, ["succeeded"]);
    expect(paid.row.receipt).toBe(conversation.result?.transactionId);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.technician_payable - before.technician_payable).toBe(450);
    expect((await p.notices(ref)).map((n) => [n.route, n.verdict])).toEqual([["status_result", "accepted"]]);
    expect((await p.events(ref)).map((e) => [e.type, e.to])).toEqual([
      ["created", "queued"],
      ["result_overdue", "unknown"],
      ["status_result", "succeeded"],
      ["submit_accepted", "submitted"],
    ]);
  });

  it("254700008006: a queue-timeout notice makes it unknown, never failed; Transaction Status finds it paid", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008006" });
    const ref = payout(payoutId);
    await p.sweep();
    const unknown = await p.waitFor(ref, ["unknown"]);
    expect(unknown.row).toMatchObject({ failures: 0, result_code: null, completed_at: null });
    expect((await p.notices(ref)).map((n) => [n.route, n.verdict, n.result_code])).toEqual([
      ["b2c_timeout", "accepted", "1037"],
    ]);
    s.clock.advance(s.t.services.payouts.timings.statusCheckMs + 1_000);
    await p.sweep();
    await p.waitFor(ref, ["succeeded"]);
  });

  it("254700008005: the result comes twice; the second is a harmless duplicate, paid once", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008005" });
    const ref = payout(payoutId);
    const before = await accountBalances(s.t.db.db.kysely);
    await p.sweep();
    await p.waitFor(ref, ["succeeded"]);
    await s.emulator.emulator.results.waitFor(
      (d) =>
        d.originatorConversationId === `${payoutId}-1` && d.status === "answered" && d.copy === "duplicate",
    );
    await s.t.services.payoutResults.whenIdle();
    expect((await p.notices(ref)).map((n) => n.verdict).sort()).toEqual(["accepted", "duplicate"]);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.technician_payable - before.technician_payable).toBe(450);
    const paid = await s.t.db.db.kysely
      .selectFrom("ledger_transfers")
      .select("amount")
      .where("kind", "=", "payout_paid")
      .where("transfer_key", "=", `payout-paid:${payoutId}`)
      .execute();
    expect(paid).toEqual([{ amount: 450 }]);
  });
});

describe("a B2C whose answer is lost or unreadable", () => {
  it("a 5xx leaves it unknown; Transaction Status does not know it; sent again under the same id and paid", async () => {
    const { payoutId } = await completedBooking(s);
    const ref = payout(payoutId);
    s.emulator.emulator.setFaults({ rates: { asyncError: 1 } });
    try {
      await p.sweep();
    } finally {
      s.emulator.emulator.setFaults({});
    }
    const unknown = await p.waitFor(ref, ["unknown"]);
    expect(unknown.row).toMatchObject({
      originator_conversation_id: `${payoutId}-1`,
      submit_started_at: expect.any(String),
    });
    s.clock.advance(s.t.services.payouts.timings.statusCheckMs + 1_000);
    await p.sweep(); // Transaction Status: 2032 → queued, same attempt
    await p.waitFor(ref, ["queued"]);
    expect((await p.item(ref)).row.attempt).toBe(1);
    await p.sweep();
    const paid = await p.waitFor(ref, ["succeeded"]);
    expect(paid.row.originator_conversation_id).toBe(`${payoutId}-1`);
    const accepted = s.emulator.emulator.conversations.list({
      api: "b2c",
      originatorConversationId: `${payoutId}-1`,
    });
    expect(accepted).toHaveLength(1);
  });

  it("an answer lost after Daraja took it: unknown, then its result pays it; a resend is refused as a duplicate", async () => {
    const { payoutId } = await completedBooking(s);
    const ref = payout(payoutId);
    s.emulator.emulator.setFaults({ rates: { asyncResponseDropped: 1 } });
    try {
      await p.sweep();
    } finally {
      s.emulator.emulator.setFaults({});
    }
    const paid = await p.waitFor(ref, ["succeeded"]);
    // Daraja's ids were learnt from the result itself.
    expect(paid.row.conversation_id).toMatch(/^AG_/);
    expect((await p.events(ref)).map((e) => e.type)).toContain("submit_outcome_unknown");
    expect(
      s.emulator.emulator.conversations.list({ originatorConversationId: `${payoutId}-1` }),
    ).toHaveLength(1);
  });

  it("a result that beats the recording of its acceptance waits for it, then counts", async () => {
    const { payoutId } = await completedBooking(s);
    const ref = payout(payoutId);
    const ids = {
      conversationId: "AG_20260115_00000000000000000fast",
      originatorConversationId: `${payoutId}-1`,
    };
    // The send has started; Daraja's acceptance is not recorded yet when the result comes.
    await markSubmitStarted(s.t.db.db.kysely, ref, {
      attempt: 1,
      originatorConversationId: ids.originatorConversationId,
      at: s.clock.now(),
    });
    const result = JSON.stringify({
      Result: {
        ResultType: 0,
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        OriginatorConversationID: ids.originatorConversationId,
        ConversationID: ids.conversationId,
        TransactionID: "UAF7F4ST01",
        ResultParameters: {
          ResultParameter: [
            { Key: "TransactionAmount", Value: 450 },
            { Key: "TransactionReceipt", Value: "UAF7F4ST01" },
          ],
        },
      },
    });
    expect((await p.post("b2c_result", ref, result)).status).toBe(200);
    await s.t.services.payoutResults.whenIdle();
    expect((await p.notices(ref)).map((n) => [n.verdict, n.reason])).toEqual([
      ["received", "waiting for the send's answer to be recorded"],
    ]);
    expect((await p.item(ref)).row.status).toBe("queued");
    await s.t.services.payouts.applyEvent(ref, { type: "submit_accepted", ...ids }, "submit");
    s.clock.advance(11_000);
    expect(await p.sweep()).toMatchObject({ notices: 1 });
    expect((await p.item(ref)).row).toMatchObject({ status: "succeeded", receipt: "UAF7F4ST01" });
  });

  it("a notice stored but never processed (a crash) is finished by the next sweep", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008004" });
    const ref = payout(payoutId);
    await p.sweep();
    const submitted = (await p.waitFor(ref, ["submitted"])).row;
    const conversation = await s.emulator.emulator.conversations.waitFor(
      (c) => c.originatorConversationId === `${payoutId}-1` && c.status === "completed",
    );
    const body = JSON.stringify({
      Result: {
        ResultType: 0,
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        OriginatorConversationID: `${payoutId}-1`,
        ConversationID: submitted.conversation_id,
        TransactionID: conversation.result?.transactionId,
        ResultParameters: {
          ResultParameter: [
            { Key: "TransactionAmount", Value: 450 },
            { Key: "TransactionReceipt", Value: conversation.result?.transactionId },
          ],
        },
      },
    });
    await insertPayoutResult(s.t.db.db.kysely, {
      route: "b2c_result",
      itemKind: "payout",
      itemId: payoutId,
      signatureValid: true,
      conversationId: submitted.conversation_id,
      originatorConversationId: `${payoutId}-1`,
      resultCode: "0",
      sourceIp: "127.0.0.1",
      rawBody: body,
      bodyBytes: body.length,
      at: s.clock.now(),
    });
    s.clock.advance(11_000); // older than the sweep's wait for background processing; not yet overdue
    expect(await p.sweep()).toMatchObject({ notices: 1 });
    await p.waitFor(ref, ["succeeded"]);
    expect((await p.notices(ref)).map((n) => n.verdict)).toEqual(["accepted"]);
  });
});

describe("results nobody can trust", () => {
  it("a forged or unsigned result is refused 403 and stored; the payout does not move", async () => {
    const { payoutId } = await completedBooking(s);
    const ref = payout(payoutId);
    await p.sweep();
    const paidFor = await p.waitFor(ref, ["succeeded", "submitted"]);
    const body = JSON.stringify({
      Result: {
        ResultType: 0,
        ResultCode: 2001,
        ResultDesc: "The initiator information is invalid.",
        OriginatorConversationID: `${payoutId}-1`,
        ConversationID: paidFor.row.conversation_id,
        TransactionID: "UAF0000000",
      },
    });
    for (const sig of ["forged-signature", null]) {
      const res = await p.post("b2c_result", ref, body, sig);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ success: false, error: { code: "CALLBACK_REJECTED" } });
    }
    // Signed for another payout: not this one's signature.
    const other = await p.post("b2c_result", ref, body, (await p.item(ref)).row.id);
    expect(other.status).toBe(403);
    await p.waitFor(ref, ["succeeded"]);
    const notices = await p.notices(ref);
    expect(notices.filter((n) => n.signature_valid === 0).map((n) => n.verdict)).toEqual([
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect((await p.item(ref)).row).toMatchObject({ status: "succeeded", result_code: "0" });
  });

  it("a signed result that names other ids or another amount moves no money", async () => {
    const { payoutId } = await completedBooking(s, { phone: "254700008004" }); // its own result never comes
    const ref = payout(payoutId);
    await p.sweep();
    const submitted = await p.waitFor(ref, ["submitted"]);
    const success = (ids: { conversation: string; originator: string }, amount: number) =>
      JSON.stringify({
        Result: {
          ResultType: 0,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          OriginatorConversationID: ids.originator,
          ConversationID: ids.conversation,
          TransactionID: "UAF1A2B3C4",
          ResultParameters: {
            ResultParameter: [
              { Key: "TransactionAmount", Value: amount },
              { Key: "TransactionReceipt", Value: "UAF1A2B3C4" },
              { Key: "ReceiverPartyPublicName", Value: "254700008004 - JOHN DOE" },
            ],
          },
        },
      });
    const ours = { conversation: submitted.row.conversation_id ?? "", originator: `${payoutId}-1` };
    const before = await accountBalances(s.t.db.db.kysely);
    const wrongIds = await p.post(
      "b2c_result",
      ref,
      success({ ...ours, conversation: "AG_20260115_0000000000000000dead" }, 450),
    );
    expect(wrongIds.status).toBe(200); // received and answered; judged afterwards
    await s.t.services.payoutResults.whenIdle();
    const reviewed = await p.item(ref);
    expect(reviewed.row.status).toBe("needs_review");
    expect(reviewed.row.failure_reason).toMatch(/ConversationID differs/);
    expect(await accountBalances(s.t.db.db.kysely)).toEqual(before);
    // Another payout's result with its own ids but another amount: review, no money.
    const second = await completedBooking(s, { phone: "254700008004" });
    const secondRef = payout(second.payoutId);
    await p.sweep();
    const secondRow = (await p.waitFor(secondRef, ["submitted"])).row;
    const ids = { conversation: secondRow.conversation_id ?? "", originator: `${second.payoutId}-1` };
    const beforeSecond = await accountBalances(s.t.db.db.kysely);
    expect((await p.post("b2c_result", secondRef, success(ids, 4500))).status).toBe(200);
    await s.t.services.payoutResults.whenIdle();
    expect((await p.item(secondRef)).row).toMatchObject({
      status: "needs_review",
      failure_reason: expect.stringMatching(/amount 4500 differs from the 450 sent/),
    });
    expect(await accountBalances(s.t.db.db.kysely)).toEqual(beforeSecond);
    // A malformed body on a signed URL is refused and kept.
    const garbage = await p.post("b2c_result", ref, "<html>not a result</html>");
    expect(garbage.status).toBe(400);
    expect((await p.notices(ref)).map((n) => n.verdict).sort()).toEqual(["accepted", "rejected"]);
  });
});

/**
 * A refund that waited for its payment's receipt (found by the chaos run). A payment completed by
 * STK Query alone has no receipt (Query carries none), so cancelling its booking makes a refund that
 * cannot be reversed: it goes to a person. When the receipt is learnt afterwards — the callback came
 * late, or twice — Malipo now knows all a Reversal needs: the refund takes the receipt and is sent
 * by the submitter's next sweep, instead of staying with a person for nothing. A refund a person has
 * already acted on is left alone. Real server, Daraja client and emulator.
 */
import { describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { createAdmin } from "../support/app.ts";
import { lifeRoutes } from "../support/escrow.ts";
import { callbackBody, type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";

let s: PaymentsStack;
let p: PayoutsDriver;
withPaymentsStack((stack) => {
  s = stack;
  p = payoutsDriver(stack);
});

/** Paid from 254700009001 (the callback never comes): completed by STK Query, without a receipt. */
async function paidWithoutReceipt() {
  const c = await s.customer();
  const res = await s.stkPush(c.token, pushBody(c.bookingId, "254700009001"));
  const transactionId = res.json().data.transactionId as string;
  const session = await s.emulator.emulator.sessions.waitFor(
    (x) => x.phoneNumber === "254700009001" && x.status === "completed" && x.receipt !== null,
  );
  // The status route asks Daraja (once per query interval of the app's clock): on a busy machine
  // one answer may come too late, so the clock moves on and the route asks again.
  const { statusQueryAfterMs, statusQueryMinIntervalMs } = s.t.services.payments.timings;
  s.clock.advance(statusQueryAfterMs + 1_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await s.waitForStatus(c.token, transactionId, ["completed"], 3_000);
      break;
    } catch (error) {
      if (attempt === 5) throw error;
      s.clock.advance(statusQueryMinIntervalMs + 1_000);
    }
  }
  expect((await s.row(transactionId)).mpesa_receipt_number).toBeNull();
  return { c, transactionId, session, receipt: session.receipt?.mpesaReceiptNumber ?? "" };
}

describe("a refund waiting for its payment's receipt", () => {
  it("takes the receipt once the late callback brings it, and is reversed", async () => {
    const { c, transactionId, session, receipt } = await paidWithoutReceipt();
    const cancelled = await lifeRoutes(s).cancel(c.token, c.bookingId);
    const refundId = cancelled.json().data.booking.refund.id as string;
    const ref = { kind: "refund" as const, id: refundId };
    expect((await p.item(ref)).row.status).toBe("needs_review");

    const late = callbackBody({
      checkoutRequestId: session.checkoutRequestId,
      merchantRequestId: session.merchantRequestId,
      receipt,
      phone: "254700009001",
    });
    expect((await s.postCallback(transactionId, late)).status).toBe(200);
    await s.t.services.payments.callbacks.whenIdle();
    expect((await s.row(transactionId)).mpesa_receipt_number).toBe(receipt);

    const before = await accountBalances(s.t.db.db.kysely);
    await p.sweep();
    const done = await p.waitFor(ref, ["succeeded", "needs_review"]);
    expect(done.row).toMatchObject({ status: "succeeded", original_receipt: receipt });
    expect((await p.events(ref)).map((e) => [e.type, e.to])).toContainEqual(["receipt_learnt", "queued"]);
    const after = await accountBalances(s.t.db.db.kysely);
    expect(after.customer_refunds_payable - before.customer_refunds_payable).toBe(500);
    expect(
      s.emulator.emulator.transactions
        .list()
        .filter((t) => t.kind === "reversal" && t.originalReceipt === receipt),
    ).toHaveLength(1);
  });

  it("one a person has already settled is left as they decided", async () => {
    const { c, transactionId, session, receipt } = await paidWithoutReceipt();
    const cancelled = await lifeRoutes(s).cancel(c.token, c.bookingId);
    const ref = { kind: "refund" as const, id: cancelled.json().data.booking.refund.id as string };
    const admin = await createAdmin(s.t);
    const resolved = await p.admin(admin, "POST", `/admin/refunds/${ref.id}/resolve`, {
      outcome: "succeeded",
      note: "refunded by hand from the M-Pesa portal",
    });
    expect(resolved.statusCode).toBe(200);
    const late = callbackBody({
      checkoutRequestId: session.checkoutRequestId,
      merchantRequestId: session.merchantRequestId,
      receipt,
      phone: "254700009001",
    });
    await s.postCallback(transactionId, late);
    await s.t.services.payments.callbacks.whenIdle();
    expect((await p.sweep()).refundsQueued).toBe(0);
    expect((await p.item(ref)).row).toMatchObject({ status: "succeeded", original_receipt: null });
  });
});

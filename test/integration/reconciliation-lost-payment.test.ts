/**
 * Money found on the statement, the rest of the way: a payment made at the shortcode while nobody
 * listened is refunded by Reversal through the emulator; THE lost-both case — a push whose answer
 * and callback are both lost fails after its window, the money is found on the emulator's
 * statement as missing_here naming that attempt, attached, and the attempt completes with the fee
 * held; and the Account Balance API's answer next to the ledger. The emulator's clock is the app's.
 * Real server, Daraja client and emulator; the books after each test.
 */
import { describe, expect, it } from "vitest";
import { SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { accountReferenceFor } from "../../src/payments/push-request.ts";
import type { ReconciliationDiscrepancy } from "../../src/reconciliation/views.ts";
import { createAdmin, type RegisteredUser } from "../support/app.ts";
import { darajaPost, fetchToken, stkPushBody } from "../support/emulator.ts";
import { lifeRoutes, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";
import {
  emulatorStatementCsv,
  type ReconciliationRoutes,
  reconciliationRoutes,
} from "../support/statement.ts";

let s: PaymentsStack | undefined;
let p: PayoutsDriver;
let r: ReconciliationRoutes;
let admin: RegisteredUser;
withPaymentsStack(
  (stack) => {
    s = stack;
    p = payoutsDriver(stack);
    r = reconciliationRoutes(stack);
  },
  { emulator: { now: () => (s ? s.clock.now() : new Date()) } },
);
const stack = () => s as PaymentsStack;

const reviewOf = (transactionId: string) =>
  stack()
    .t.db.db.kysely.selectFrom("payment_reviews")
    .selectAll()
    .where("transaction_id", "=", transactionId)
    .execute();

describe("refunding money found on the statement", () => {
  it("a payment made at the shortcode while nobody listened: reversed through the emulator", async () => {
    const c = await stack().customer();
    const token = await fetchToken(stack().emulator.baseUrl);
    const push = await darajaPost(
      stack().emulator.baseUrl,
      "/mpesa/stkpush/v1/processrequest",
      token,
      stkPushBody("254708374149", {
        AccountReference: accountReferenceFor(c.bookingId),
        CallBackURL: "http://127.0.0.1:9/nobody-listens",
      }),
    );
    const checkoutRequestId = String(push.json?.CheckoutRequestID);
    const session = await stack().emulator.emulator.sessions.waitFor(
      (x) => x.checkoutRequestId === checkoutRequestId && x.status === "completed",
    );
    const paidReceipt = session.receipt?.mpesaReceiptNumber ?? "";
    admin ??= await createAdmin(stack().t);
    const res = await r.upload(admin, await emulatorStatementCsv(stack()));
    const item = (res.json().data.discrepancies as ReconciliationDiscrepancy[]).find(
      (d) => d.receipt === paidReceipt,
    ) as ReconciliationDiscrepancy;
    expect(item).toMatchObject({
      kind: "missing_here",
      accountNumber: accountReferenceFor(c.bookingId),
      candidateTransactionId: null,
    });
    expect(item.otherParty).toMatch(/^25470\*\*\*\*149 - /);

    // No booking named: the account reference names it.
    const decided = await r.decide(admin, item.id, "refund", { note: "Customer asked for it back" });
    expect(decided.statusCode).toBe(200);
    const { transaction, refund } = decided.json().data;
    expect(transaction).toMatchObject({
      bookingId: c.bookingId,
      status: "needs_review",
      mpesaReceiptNumber: paidReceipt,
    });
    expect(refund).toMatchObject({ status: "queued", amount: 500, transactionId: transaction.id });
    expect(await stack().fee(c.bookingId)).toMatchObject({ status: "pending" });
    await p.sweep();
    const done = await p.waitFor({ kind: "refund", id: refund.id }, ["succeeded"]);
    expect(done.kind === "refund" && done.row.original_receipt).toBe(paidReceipt);
    const reversals = stack()
      .emulator.emulator.transactions.list()
      .filter((t) => t.kind === "reversal" && t.originalReceipt === paidReceipt);
    expect(reversals).toHaveLength(1);
    // The next statement: the payment and its reversal both ours now.
    const next = await r.upload(admin, await emulatorStatementCsv(stack()));
    const receiptsThen = (next.json().data.discrepancies as ReconciliationDiscrepancy[]).map(
      (d) => d.receipt,
    );
    expect(receiptsThen).not.toContain(paidReceipt);
    expect(receiptsThen).not.toContain(reversals[0]?.receipt);
  });
});

describe("THE lost-both payment", () => {
  it("push answer and callback lost: failed, found on the emulator's statement, attached, the fee held", async () => {
    admin ??= await createAdmin(stack().t);
    const c = await stack().customer();
    const emulator = stack().emulator.emulator;
    emulator.setFaults({ rates: { pushResponseDropped: 1, callbackLost: 1 } });
    let session: Awaited<ReturnType<typeof emulator.sessions.waitFor>>;
    let transactionId: string;
    try {
      const push = await stack().stkPush(c.token, pushBody(c.bookingId, "254708374149"));
      expect(push.statusCode).toBe(201);
      expect(push.json().data.checkoutRequestId).toBeNull();
      transactionId = push.json().data.transactionId;
      session = await emulator.sessions.waitFor(
        (x) => x.accountReference === accountReferenceFor(c.bookingId) && x.status === "completed",
      );
      await emulator.deliveries.waitFor((d) => d.checkoutRequestId === session.checkoutRequestId);
    } finally {
      emulator.setFaults({});
    }
    const paidReceipt = session.receipt?.mpesaReceiptNumber ?? "";
    stack().clock.advance(stack().t.services.payments.timings.unconfirmedPushWindowMs + 60_000);
    await stack().t.services.payments.reconciler.runOnce();
    await stack().waitForStatus(c.token, transactionId, ["failed"]);
    expect(await reviewOf(transactionId)).toEqual([expect.objectContaining({ resolved_at: null })]);

    const res = await r.upload(admin, await emulatorStatementCsv(stack()));
    expect(res.statusCode).toBe(201);
    const item = (res.json().data.discrepancies as ReconciliationDiscrepancy[]).find(
      (d) => d.receipt === paidReceipt,
    ) as ReconciliationDiscrepancy;
    expect(item).toMatchObject({
      kind: "missing_here",
      amount: 500,
      candidateTransactionId: transactionId,
      recordId: null,
    });
    expect(item.detail).toContain(`probably our failed attempt ${transactionId}`);
    const queue = (await r.get(admin, "/admin/review")).json().data;
    expect(queue.discrepancies.map((d: { id: string }) => d.id)).toContain(item.id);
    expect(queue.paymentReviews.map((x: { transactionId: string }) => x.transactionId)).toContain(
      transactionId,
    );

    const attached = await r.decide(admin, item.id, "attach", {
      bookingId: c.bookingId,
      note: "Lost push; money on the statement",
    });
    expect(attached.statusCode).toBe(200);
    // The attempt the customer made is the payment: completed with the receipt M-Pesa gave it.
    expect(attached.json().data.transaction).toMatchObject({
      id: transactionId,
      status: "completed",
      mpesaReceiptNumber: paidReceipt,
      failureReason: null,
    });
    expect(await stack().fee(c.bookingId)).toMatchObject({
      status: "held",
      paid_transaction_id: transactionId,
    });
    expect((await lifeRoutes(stack()).booking(c.token, c.bookingId)).status).toBe("matching");
    expect((await stack().status(c.token, transactionId)).json().transaction.status).toBe("completed");
    expect((await reviewOf(transactionId))[0]?.resolved_at).not.toBeNull();
    const after = (await r.get(admin, "/admin/review")).json().data;
    expect(after.paymentReviews.map((x: { transactionId: string }) => x.transactionId)).not.toContain(
      transactionId,
    );
  });
});

describe("the Account Balance API", () => {
  it("is asked on demand; its Utility balance is recorded next to the ledger and shown with the next run", async () => {
    admin ??= await createAdmin(stack().t);
    const asked = await stack().t.app.inject({
      method: "POST",
      url: "/api/v1/admin/reconciliations/balance",
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(asked.statusCode).toBe(202);
    const check = asked.json().data.check;
    expect(check).toMatchObject({ status: "accepted", utilityCents: null });
    let latest = check;
    for (let i = 0; latest.status === "accepted" && i < 500; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      latest = (await r.get(admin, "/admin/reconciliations/balance")).json().data.check;
    }
    const ledger = (await accountBalances(stack().t.db.db.kysely)).mpesa_clearing * 100;
    // The payments here came through the emulator; the money attached from made-up receipts did not.
    expect(ledger).toBeGreaterThan(0);
    const utility = stack().emulator.emulator.accounts.get(SANDBOX_SHORTCODE).utilityCents;
    expect(latest).toMatchObject({
      id: check.id,
      status: "completed",
      resultCode: "0",
      utilityCents: utility,
      ledgerClearingCents: ledger,
      differenceCents: utility - ledger,
    });
    // A statement not imported before (an import of the same one answers its run as it was).
    await paidBooking(stack());
    const run = (await r.upload(admin, await emulatorStatementCsv(stack()))).json().data.run;
    expect(run.balances.accountBalance).toMatchObject({ id: check.id, utilityCents: utility });

    const forged = await fetch(
      `${stack().t.url}/api/v1/payments/mpesa/balance/result?id=${check.id}&sig=nope`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      },
    );
    expect(forged.status).toBe(403);
    expect((await forged.json()).error.code).toBe("CALLBACK_REJECTED");
  });
});

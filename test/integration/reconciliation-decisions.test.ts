/**
 * Deciding what the statement shows and we did not know: money paid in with no payment here is
 * attached to a booking (its fee held, the booking matching, as for any payment; owed back when the
 * fee was already paid) or refunded by Reversal through the emulator; other discrepancies are
 * resolved with a note. Every decision once, recorded with the admin. THE lost-both case: a push
 * whose answer and callback are both lost fails after its window, the money is found on the
 * emulator's statement as missing_here naming that attempt, attached, and the attempt completes.
 * The emulator's clock is the app's. Real server, Daraja client and emulator; the books after each test.
 */
import { describe, expect, it } from "vitest";
import { SANDBOX_SHORTCODE } from "../../src/daraja/password.ts";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { accountReferenceFor } from "../../src/payments/push-request.ts";
import type { StatementLine } from "../../src/reconciliation/statement.ts";
import type { ReconciliationDiscrepancy } from "../../src/reconciliation/views.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { darajaPost, fetchToken, stkPushBody } from "../support/emulator.ts";
import { lifeRoutes, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, pushBody, withPaymentsStack } from "../support/payments.ts";
import { type PayoutsDriver, payoutsDriver } from "../support/payouts.ts";
import {
  editedStatementCsv,
  emulatorStatementCsv,
  paidInLine,
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

let receipts = 0;
const receipt = () => `UFD${String(++receipts).padStart(7, "0")}`;

/** Imports the emulator's statement with `extra` lines added; answers the discrepancy of `receipt`. */
async function found(
  extra: Array<[receipt: string, line: Partial<StatementLine>]>,
  find: string,
): Promise<ReconciliationDiscrepancy> {
  admin ??= await createAdmin(stack().t);
  const when = stack().clock.now();
  const csv = await editedStatementCsv(stack(), (lines) => [
    ...lines,
    ...extra.map(([id, over]) => paidInLine(id, when, over)),
  ]);
  const res = await r.upload(admin, csv);
  expect(res.statusCode).toBe(201);
  const item = (res.json().data.discrepancies as ReconciliationDiscrepancy[]).find((d) => d.receipt === find);
  if (!item) throw new Error(`no discrepancy for ${find}: ${res.body}`);
  return item;
}

const reviewOf = (transactionId: string) =>
  stack()
    .t.db.db.kysely.selectFrom("payment_reviews")
    .selectAll()
    .where("transaction_id", "=", transactionId)
    .execute();

describe("attaching money found on the statement to a booking", () => {
  it("pays the fee: a completed payment with that receipt, the fee held, the booking matching; once", async () => {
    const c = await stack().customer();
    const id = receipt();
    const item = await found([[id, { accountNumber: accountReferenceFor(c.bookingId) }]], id);
    expect(item).toMatchObject({ kind: "missing_here", candidateTransactionId: null, state: "open" });
    const before = await accountBalances(stack().t.db.db.kysely);

    const res = await r.decide(admin, item.id, "attach", {
      bookingId: c.bookingId,
      note: "Paid while we were down",
    });
    expect(res.statusCode).toBe(200);
    const { discrepancy, transaction, refund } = res.json().data;
    expect(discrepancy).toMatchObject({
      state: "resolved",
      resolution: "attached",
      resolutionNote: "Paid while we were down",
      resolvedBy: admin.user.id,
      transactionId: transaction.id,
      refundId: null,
      actions: [],
    });
    expect(transaction).toMatchObject({
      bookingId: c.bookingId,
      status: "completed",
      amount: 500,
      mpesaReceiptNumber: id,
    });
    expect(refund).toBeNull();
    expect(await stack().fee(c.bookingId)).toMatchObject({
      status: "held",
      paid_transaction_id: transaction.id,
    });
    expect((await lifeRoutes(stack()).booking(c.token, c.bookingId)).status).toBe("matching");
    const after = await accountBalances(stack().t.db.db.kysely);
    expect({
      clearing: after.mpesa_clearing - before.mpesa_clearing,
      escrow: after.booking_fee_escrow - before.booking_fee_escrow,
    }).toEqual({ clearing: 500, escrow: -500 });
    const events = await stack()
      .t.db.db.kysely.selectFrom("payment_events")
      .select(["type", "data"])
      .where("transaction_id", "=", transaction.id)
      .execute();
    expect(events.map((e) => [e.type, JSON.parse(e.data).source]).sort()).toEqual([
      ["found_on_statement", "statement"],
      ["paid", "statement"],
    ]);
    const hooks = await stack()
      .t.db.db.kysely.selectFrom("webhook_events")
      .select("type")
      .where("payload", "like", `%${transaction.id}%`)
      .execute();
    expect(hooks.map((h) => h.type)).toContain("payment.completed");

    // Once: the same decision again, or another, is refused; the money is not counted twice.
    for (const [action, body] of [
      ["attach", { bookingId: c.bookingId, note: "again" }],
      ["refund", { note: "again" }],
      ["resolve", { note: "again" }],
    ] as const) {
      const again = expectError(
        await r.decide(admin, item.id, action, body),
        409,
        "DISCREPANCY_ALREADY_RESOLVED",
      );
      expect(again.details).toMatchObject({ resolution: "attached", transactionId: transaction.id });
    }
    // A later statement finds the receipt matched.
    stack().clock.advance(1_000);
    const later = await r.upload(
      admin,
      await editedStatementCsv(stack(), (lines) => [
        ...lines,
        paidInLine(id, stack().clock.now(), { accountNumber: accountReferenceFor(c.bookingId) }),
      ]),
    );
    expect(later.statusCode).toBe(201);
    expect(
      (later.json().data.discrepancies as ReconciliationDiscrepancy[]).map((d) => d.receipt),
    ).not.toContain(id);
  });

  it("to a booking whose fee is already paid: owed back as an overpayment, its refund queued", async () => {
    const paid = await paidBooking(stack());
    const id = receipt();
    const item = await found([[id, { accountNumber: accountReferenceFor(paid.bookingId) }]], id);
    const res = await r.decide(admin, item.id, "attach", { bookingId: paid.bookingId, note: "Paid twice" });
    expect(res.statusCode).toBe(200);
    const { transaction, refund, discrepancy } = res.json().data;
    expect(transaction).toMatchObject({ status: "needs_review", mpesaReceiptNumber: id });
    expect(refund).toMatchObject({ status: "queued", amount: 500, transactionId: transaction.id });
    expect(discrepancy.refundId).toBe(refund.id);
    expect(await stack().fee(paid.bookingId)).toMatchObject({
      status: "held",
      paid_transaction_id: paid.transactionId,
    });
  });

  it("is refused for what cannot pay that fee, for other kinds, and for an unknown booking", async () => {
    const c = await stack().customer();
    const [short, orphan] = [receipt(), receipt()];
    const item = await found(
      [
        [short, { paidInCents: 30_000, accountNumber: accountReferenceFor(c.bookingId) }],
        [orphan, {}],
      ],
      short,
    );
    const refused = expectError(
      await r.decide(admin, item.id, "attach", { bookingId: c.bookingId, note: "x" }),
      409,
      "DISCREPANCY_NOT_ATTACHABLE",
    );
    expect(refused.message).toBe("KES 300 does not pay this booking's KES 500 fee; refund it instead");
    expectError(
      await r.decide(admin, item.id, "attach", { bookingId: "bkg_nope", note: "x" }),
      404,
      "BOOKING_NOT_FOUND",
    );
    expectError(await r.decide(admin, item.id, "attach", { note: "x" }), 400, "VALIDATION_ERROR");
    const queue = (await r.get(admin, "/admin/review")).json().data
      .discrepancies as ReconciliationDiscrepancy[];
    const orphanItem = queue.find((d) => d.receipt === orphan) as ReconciliationDiscrepancy;
    expectError(await r.decide(admin, orphanItem.id, "refund", { note: "whose?" }), 400, "BOOKING_REQUIRED");
    // Nothing was written by the refusals.
    expect(await stack().fee(c.bookingId)).toMatchObject({ status: "pending" });
    const still = (await r.get(admin, "/admin/review")).json().data
      .discrepancies as ReconciliationDiscrepancy[];
    expect(still.filter((d) => d.id === item.id || d.id === orphanItem.id).map((d) => d.state)).toEqual([
      "open",
      "open",
    ]);

    // A discrepancy about our own record is resolved with a note, never attached.
    const absent = await paidBooking(stack());
    const rAbsent = (await stack().row(absent.transactionId)).mpesa_receipt_number;
    // The period the export covers (the last line is the missing one).
    const res = await r.upload(
      admin,
      await editedStatementCsv(stack(), (lines) => lines.filter((l) => l.receipt !== rAbsent)),
      { period: { from: new Date(0), to: stack().clock.now() } },
    );
    const there = (res.json().data.discrepancies as ReconciliationDiscrepancy[]).find(
      (d) => d.recordId === absent.transactionId,
    ) as ReconciliationDiscrepancy;
    expect(there).toMatchObject({ kind: "missing_there", actions: ["resolve"] });
    expectError(
      await r.decide(admin, there.id, "attach", { bookingId: absent.bookingId, note: "x" }),
      409,
      "DISCREPANCY_NOT_ATTACHABLE",
    );
    const resolved = await r.decide(admin, there.id, "resolve", { note: "On the next day's statement" });
    expect(resolved.json().data).toMatchObject({
      discrepancy: {
        state: "resolved",
        resolution: "resolved",
        resolutionNote: "On the next day's statement",
        resolvedBy: admin.user.id,
      },
      transaction: null,
      refund: null,
    });
    expectError(
      await r.decide(admin, there.id, "resolve", { note: "again" }),
      409,
      "DISCREPANCY_ALREADY_RESOLVED",
    );
  });

  it("two admins attaching at once: one wins, the other is told, the money counted once", async () => {
    const c = await stack().customer();
    const id = receipt();
    const item = await found([[id, { accountNumber: accountReferenceFor(c.bookingId) }]], id);
    const before = await accountBalances(stack().t.db.db.kysely);
    const answers = await Promise.all(
      [1, 2].map((n) => r.decide(admin, item.id, "attach", { bookingId: c.bookingId, note: `admin ${n}` })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const after = await accountBalances(stack().t.db.db.kysely);
    expect(after.mpesa_clearing - before.mpesa_clearing).toBe(500);
  });
});

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

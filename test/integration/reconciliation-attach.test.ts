/**
 * Attaching money the statement shows and we never recorded to a booking: its fee held and the
 * booking matching, as for any payment (through the payments module's apply path); owed back when
 * the fee was already paid; refused for what cannot pay that fee or for another kind of
 * discrepancy, which is resolved with a note instead. Every decision once, recorded with the admin,
 * also when two admins decide at once. The emulator's clock is the app's. Real server, Daraja
 * client and emulator; the books after each test.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { accountBalances } from "../../src/ledger/ledger.ts";
import { accountReferenceFor } from "../../src/payments/push-request.ts";
import type { StatementLine } from "../../src/reconciliation/statement.ts";
import type { ReconciliationDiscrepancy } from "../../src/reconciliation/views.ts";
import { createAdmin, expectError, type RegisteredUser } from "../support/app.ts";
import { lifeRoutes, paidBooking } from "../support/escrow.ts";
import { type PaymentsStack, withPaymentsStack } from "../support/payments.ts";
import {
  editedStatementCsv,
  importWithExtraLines,
  paidInLine,
  type ReconciliationRoutes,
  reconciliationRoutes,
} from "../support/statement.ts";
import { hearEveryEvent } from "../support/webhooks.ts";

let s: PaymentsStack | undefined;
let r: ReconciliationRoutes;
let admin: RegisteredUser;
withPaymentsStack(
  (stack) => {
    s = stack;
    r = reconciliationRoutes(stack);
  },
  { emulator: { now: () => (s ? s.clock.now() : new Date()) } },
);
const stack = () => s as PaymentsStack;

let receipts = 0;
const receipt = () => `UFD${String(++receipts).padStart(7, "0")}`;

async function found(extra: Array<[receipt: string, line: Partial<StatementLine>]>, find: string) {
  admin ??= await createAdmin(stack().t);
  return importWithExtraLines(stack(), admin, extra, find);
}

// The outbox writes only events some endpoint wants: this one wants them all.
beforeAll(async () => {
  await hearEveryEvent((s as PaymentsStack).t);
});

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
